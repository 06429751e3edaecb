/**
 * The domain services, created once per process around the database handle and handed to
 * Remix (getLoadContext) and to the Socket.io handlers alike.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { createAccountService } from '../app/accounts/accounts.server';
import { createAuditService } from '../app/audit/audit.server';
import { createCompilationService, type CompilationChanged } from '../app/compilation/compilation.server';
import { createCaseStudyService } from '../app/case-studies/case-studies.server';
import type { AccessEvent } from '../app/auth/access-events';
import { createAuth } from '../app/auth/auth.server';
import { createConsultationService } from '../app/consultations/consultations.server';
import { createPhaseService } from '../app/consultations/phase-moves.server';
import { createModerationService } from '../app/moderation/moderation.server';
import { createNoteDocs, type NoteDocsOptions } from '../app/notes/note-docs.server';
import { createNoteStore } from '../app/notes/note-store.server';
import { createCitationService } from '../app/notes/citations.server';
import { createNoteKeyPointService } from '../app/notes/note-key-points.server';
import { createNoteService } from '../app/notes/notes.server';
import { createExportJobs } from '../app/exports/export-jobs.server';
import { createExportService } from '../app/exports/exports.server';
import { createRenderPool } from './exports/render-pool';
import { createSearchService } from '../app/search/search.server';
import { createNotificationService } from '../app/notifications/notifications.server';
import { createPostService, type ThreadEvent } from '../app/posts/posts.server';
import { createLimiters, type RedisClient } from '../app/utils/rate-limit.server';

export interface ServiceOptions {
  secureCookies: boolean;
  signInAttemptsPerAddress: number;
  registrationsPerAddress: number;
  postsPerMinute: number;
  /** Searches per person or address per minute (default 120). */
  searchesPerMinute?: number;
  /** Tuning of the live note documents (tests and benchmarks). */
  noteDocs?: Partial<NoteDocsOptions>;
  /** Worker threads rendering exports (default 1). */
  exportWorkers?: number;
  /** The node's Redis when it runs with REDIS_URL: shared rate limits are counted there. */
  redis?: { client: RedisClient; prefix: string } | null;
}

/**
 * Domain events for the real-time layer. `publish` runs this node's listeners at once, then
 * hands the event to the node's forwarder (several nodes: server/cluster/, which carries it to
 * the others, whose bus `deliver`s it to their listeners only).
 */
export function createEventBus<Event = ThreadEvent>() {
  const listeners = new Set<(event: Event) => void>();
  let forward: ((event: Event) => void) | null = null;
  /** Runs every listener; one that fails is logged and does not keep the others from hearing. */
  const deliver = (event: Event) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('[events] a listener failed:', error);
      }
    }
  };
  return {
    publish(event: Event) {
      deliver(event);
      forward?.(event);
    },
    /** An event another node published: this node's listeners hear it, nothing is forwarded. */
    deliver,
    /** Sets where this node's events go besides its own listeners (the other nodes). */
    forwardTo(forwarder: ((event: Event) => void) | null) {
      forward = forwarder;
    },
    subscribe(listener: (event: Event) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function createServices(db: Kysely<Database>, options: ServiceOptions) {
  const limiters = createLimiters({ redis: options.redis ?? null });
  const searchesPerMinute = options.searchesPerMinute ?? 120;
  const events = createEventBus();
  const accessEvents = createEventBus<AccessEvent>();
  const compilationEvents = createEventBus<CompilationChanged>();
  const noteStore = createNoteStore(db);
  const noteDocs = createNoteDocs(noteStore, options.noteDocs);
  const citations = createCitationService(db);
  const notes = createNoteService(db, noteDocs, { publishStatus: (event) => accessEvents.publish({ type: 'note.status', ...event }) });
  const consultations = createConsultationService(db);
  const exportPool = createRenderPool({ size: options.exportWorkers ?? 1 });
  return {
    db,
    events,
    /** Sessions ended, roles, profiles, note statuses and phases changed: open sockets act on them (app/auth/access-events.ts). */
    accessEvents,
    /** Where note documents are stored; note-docs calls it through this object (tests make it fail). */
    noteStore,
    noteDocs,
    notes,
    citations,
    /** The key points a note's editor may insert, with their clips' footnotes (issue 12). */
    noteKeyPoints: createNoteKeyPointService(db, citations),
    posts: createPostService(db, { publish: events.publish, postsPerMinute: options.postsPerMinute, limiters }),
    auth: createAuth(db, { secureCookies: options.secureCookies, publish: accessEvents.publish }),
    accounts: createAccountService(db, { publish: accessEvents.publish }),
    consultations,
    /** Worker threads that render exports (closed at shutdown). */
    exportPool,
    /** Notes, the consultation report and the data as files (issue 13). */
    exports: createExportService({ db, notes, citations, consultations, docs: noteDocs, render: exportPool.render }),
    /** Long exports made in the background, with their progress. */
    exportJobs: createExportJobs(),
    /** Moving a consultation from phase to phase (admins); published on `accessEvents`. */
    phases: createPhaseService(db, { docs: noteDocs, publish: accessEvents.publish }),
    audit: createAuditService(db),
    caseStudies: createCaseStudyService(db),
    moderation: createModerationService(db),
    /** Key points and clips of each question's compilation, its coverage (issue 12). */
    compilation: createCompilationService(db, { publish: compilationEvents.publish }),
    /** A question's compilation changed (after commit): its live room refetches (server/socket/compilation.ts). */
    compilationEvents,
    /** Full-text search of a consultation: posts, case studies, key points, notes (issue 15). */
    search: createSearchService(db),
    notifications: createNotificationService(db),
    limits: {
      /** Makes the node's other limiters (the socket layer's, per connection) from the same store. */
      make: limiters,
      /** Failed sign-ins per email and address: 5 per 15 minutes. */
      signInPerAccount: limiters('sign-in-account', 5, 15 * 60_000, 'shared'),
      /** Sign-in attempts per address, per 15 minutes. */
      signInPerAddress: limiters('sign-in-address', options.signInAttemptsPerAddress, 15 * 60_000, 'shared'),
      /** Searches per person (else per address), per minute: a search of a common word costs tens of milliseconds. */
      searchPerCaller: limiters('search', searchesPerMinute, 60_000, 'shared'),
      /** The same for dialogs that search as one types (app/search/search-limit.server.ts): five times as many. */
      searchAsTyped: limiters('search-typed', searchesPerMinute * 5, 60_000, 'shared'),
      /** Registrations per address, per hour. */
      registerPerAddress: limiters('register-address', options.registrationsPerAddress, 60 * 60_000, 'shared'),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
