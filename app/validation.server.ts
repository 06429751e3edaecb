/**
 * The zod schemas route actions use, re-exported through a server-only module: the classic
 * compiler leaves `*.server.ts` imports out of browser bundles, and zod (about 90 KB gzipped)
 * with them. Socket handlers and domain code import the schema modules directly.
 */
export * from './accounts/account.schema';
export * from './posts/post.schema';
export * from './case-studies/case-study.schema';
export * from './moderation/moderation.schema';
export * from './notes/note.schema';
export * from './notifications/notification.schema';
export * from './consultations/phase.schema';
