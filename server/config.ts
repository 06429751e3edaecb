/**
 * Configuration from environment variables, parsed and validated once at start. A bad value
 * stops the process with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_SQLITE_PATH, isPostgresUrl, redactUrl } from '../db/database';

const ORIGINS_EXPECTED = 'expected a comma-separated list of origins like https://palabre.example.org (scheme, host and port; no path)';

/** `http(s)://host[:port]`, optionally with a trailing slash: nothing a browser's Origin header would not carry. */
const isBareOrigin = (value: string) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname === '/' &&
    !url.search &&
    !url.hash &&
    !url.username &&
    !url.password
  );
};

/** `redis[s]://[user:password@]host[:port][/db]`: what the Redis client takes without throwing. */
const isRedisUrl = (value: string) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return ['redis:', 'rediss:'].includes(url.protocol) && url.hostname !== '' && /^(\/(\d{1,2})?)?$/.test(url.pathname) && !url.hash;
};

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** TRUST_PROXY: how many reverse proxies stand in front (false: none; true: one). */
const proxies = z
  .string()
  .regex(/^(true|false|yes|no|[0-9])$/, { error: 'expected false, true (one reverse proxy) or how many stand in front (1 to 9)' })
  .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v)));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'expected development, production or test' }).default('development'),
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int({ error: 'expected a whole number' })
    .min(0, { error: 'expected a port number from 0 to 65535' })
    .max(65535, { error: 'expected a port number from 0 to 65535' })
    .default(3000),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z.string().trim().min(1, { error: 'must not be empty' }).default(DEFAULT_SQLITE_PATH),
  /**
   * Origins allowed for form posts and the socket handshake besides the request's own, each
   * compared as a whole (scheme, host and port): a path would suggest a narrower rule than applies.
   */
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
    .pipe(z.array(z.string().refine(isBareOrigin, { error: ORIGINS_EXPECTED }).transform((v) => new URL(v).origin))),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: proxies.default(0),
  SEED_ON_START: bool.default(true),
  /** Sign-in attempts allowed from one address per 15 minutes (a conference Wi-Fi shares one). */
  SIGN_IN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).default(60),
  /** Accounts that one address may create per hour. */
  REGISTRATIONS_PER_ADDRESS: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).default(30),
  /** Contributions one user may post per minute. */
  POSTS_PER_MINUTE: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).default(10),
  SEARCHES_PER_MINUTE: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).default(120),
  /** Worker threads rendering exports (Word, PDF, Markdown, CSV) off the event loop. */
  EXPORT_WORKERS: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).max(16, { error: 'expected at most 16' }).default(1),
  /** Socket.io events one connection may send per 10 seconds (typing, joins, posts…). */
  SOCKET_EVENTS_PER_10S: z.coerce.number().int().min(1, { error: 'expected a positive whole number' }).default(100),
  /**
   * Bytes that may wait to be sent to one live connection before it is dropped as not reading
   * (it reconnects and catches up): checked as another message comes, so that one message
   * larger than this (a long catch-up page) still goes out alone (server/socket/limits.ts).
   */
  SOCKET_MAX_BACKLOG_BYTES: z.coerce
    .number({ error: 'expected a number of bytes' })
    .int({ error: 'expected a whole number of bytes' })
    .min(65_536, { error: 'expected at least 65536 (64 KB)' })
    .default(4 * 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * Several nodes (docs/decisions/0018): the Redis they share, `redis://[user:password@]host:port[/db]`
   * (`rediss://` with TLS). Needs DATABASE_URL on PostgreSQL.
   */
  REDIS_URL: z
    .string()
    .trim()
    .refine(isRedisUrl, { error: 'expected a Redis URL like redis://127.0.0.1:6379 or redis://user:password@host:6379/0 (redis:// or rediss://, a host, at most a database number)' })
    .optional(),
  /** Prefix of every Redis key and channel: several Palabre clusters may share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected 1 to 64 letters, digits, dots, dashes or underscores' })
    .default('palabre'),
  /** This node's name among the others (logs, readers counts); random per process if unset. */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected 1 to 64 letters, digits, dots, dashes or underscores' })
    .optional(),
});

export type Config = Omit<z.infer<typeof schema>, 'COOKIE_SECURE'> & { COOKIE_SECURE: boolean };


export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(redactUrl(env[name] ?? ''))}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.REDIS_URL && !isPostgresUrl(config.DATABASE_URL)) {
    throw new ConfigError(
      'Invalid configuration:\n  REDIS_URL is set, so several nodes may share the data, but DATABASE_URL names a SQLite file, ' +
        'which only one process may write: set DATABASE_URL=postgres://… (or unset REDIS_URL to run one node).',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(config.DATABASE_URL) && !isPostgresUrl(config.DATABASE_URL)) {
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: expected postgres://… or the path of a SQLite file`);
  }
  if (isPostgresUrl(config.DATABASE_URL) && !URL.canParse(config.DATABASE_URL)) {
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: expected a PostgreSQL URL like postgres://user:password@host:5432/database`);
  }
  return { ...config, COOKIE_SECURE: config.COOKIE_SECURE ?? config.NODE_ENV === 'production' };
}
