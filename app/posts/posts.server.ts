/**
 * Contributions in threads: posting, replying, editing, deleting, endorsing, listing and
 * catching up. Every write commits before it is acknowledged or published; `publish` then
 * hands each audience (everyone, moderators) the view it may see.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database, PostRow } from '../../db/schema';
import type { Language } from '../consultations/content.schema';
import { roleOf } from '../accounts/accounts.server';
import { can } from '../accounts/roles';
import { recordAudit } from '../audit/audit.server';
import { notify } from '../notifications/notifications.server';
import { DomainError } from '../utils/errors';
import { createLimiters, type MakeLimiter } from '../utils/rate-limit.server';
import { documentFromText, InvalidDocument, plainText, renderHtml, sanitizeDocument, type LexicalDocument } from './lexical';
import { detectPostLanguage } from './language';
import type { CreatePostInput, EditPostInput, ListQuery, Sort } from './post.schema';
import { PAGE_SIZE } from './post.schema';
import { AUTHOR_COLUMNS, authorsOf } from '../contributions/filters.server';
import { postTextReadable } from '../contributions/visibility';
import { canContribute } from '../consultations/phases';
import type { PostView } from './post-view';

/** Who is asking, as far as posts are concerned. */
export interface Viewer {
  id: string;
  /** Moderators (and admins) see hidden text and the real author. */
  moderator: boolean;
}

export interface ThreadEvent {
  type: 'post:created' | 'post:updated' | 'post:endorsed';
  threadId: number;
  seq: number;
  /** What everyone may see. */
  public: PostView;
  /** What moderators may see. */
  moderator: PostView;
  /** The thread's contributions once this change committed; absent when it cannot change them (edits, endorsements). */
  counts?: ThreadCounts;
}

/**
 * How many contributions a thread holds, as each audience counts them: deleted and hidden posts
 * leave only a placeholder, so they are not counted, except hidden ones for moderators, who
 * still read them.
 */
export interface ThreadCounts {
  public: number;
  moderator: number;
}

/** One page of a thread, as `list` answers it. */
export interface ThreadPage {
  posts: (PostView & { replies: PostView[] })[];
  /** Top-level posts (what pages count) and every post, replies included. */
  total: number;
  all: number;
  /** Contributions as this viewer counts them (ThreadCounts). */
  contributions: number;
  /** This page's top-level posts are the `from`-th to the `to`-th (from 1) of `total`. */
  from: number;
  to: number;
  /** Page-link cursors of the neighbouring pages (`?before=` / `?after=`), null at either end. */
  previous: string | null;
  next: string | null;
  /** The thread's last change: the live page's catch-up cursor. */
  seq: number;
}

export interface PostServiceOptions {
  publish: (event: ThreadEvent) => void;
  /** Posts (and replies) per author per minute, across nodes when `limiters` counts in Redis. */
  postsPerMinute: number;
  /** Where the limit is counted (server/services.ts); this process's memory by default (seeds, tests). */
  limiters?: MakeLimiter;
}

type PostsFrom = Pick<Database, 'posts'>;
type Row = PostRow & { authorName: string; authorOrganisation: string; authorGroup: string };
/** What toView reads: a Row without the plain text, and the JSON only where it is the reader's. */
type ViewRow = Omit<Row, 'body' | 'bodyText'> & { body: string | null };

export function createPostService(db: Kysely<Database>, options: PostServiceOptions) {
  const postLimiter = (options.limiters ?? createLimiters({ redis: null }))('posts', options.postsPerMinute, 60_000, 'shared');

  const selectPosts = (trx: Kysely<Database> = db) =>
    trx
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.authorId')
      .selectAll('posts')
      .select(AUTHOR_COLUMNS);

  /**
   * The columns a page of posts shows: the stored HTML, not the Lexical JSON nor the plain text
   * (a page of 100 posts would copy both out of the database for nothing), except the JSON of the
   * reader's own posts (`body`, for their edit forms); `body` is null for everyone else's.
   */
  /**
   * The `after` cursor of the page that ends with post `at`'s top-level post (the post itself,
   * or the one it replies to), so a link to a post deep in a thread (`?at=`) opens the page it is
   * on; null when the first page holds it, or when `at` is not a post of this thread.
   */
  const pageEndingAt = async (threadId: number, viewer: Viewer | null, sort: Sort, at: number): Promise<Cursor | null> => {
    const target = await db.selectFrom('posts').select(['id', 'rootId']).where('id', '=', at).where('threadId', '=', threadId).executeTakeFirst();
    if (!target) return null;
    const root = await db
      .selectFrom('posts')
      .select(['id', 'createdAt', 'endorsementCount'])
      .where('id', '=', target.rootId ?? target.id)
      .executeTakeFirst();
    if (!root) return null;
    const order = ORDERS[sort];
    // Counting back from the root: the PAGE_SIZE-th top-level post before it starts the page after it.
    const start = await selectListed(viewer?.id ?? null)
      .where('posts.threadId', '=', threadId)
      .where('posts.rootId', 'is', null)
      .where((eb) => beyond(eb, order, cursorOf(root, sort), 'before'))
      .orderBy(order.key, flip(order.keyDir))
      .orderBy('posts.id', flip(order.idDir))
      .limit(1)
      .offset(PAGE_SIZE - 1)
      .executeTakeFirst();
    return start ? cursorOf(start, sort) : null;
  };

  const selectListed = (viewerId: string | null) =>
    db
      .selectFrom('posts')
      .innerJoin('users', 'users.id', 'posts.authorId')
      .select([
        'posts.id',
        'posts.threadId',
        'posts.authorId',
        'posts.clientId',
        'posts.parentId',
        'posts.rootId',
        'posts.attribution',
        'posts.language',
        'posts.bodyHtml',
        'posts.status',
        'posts.hiddenReason',
        'posts.endorsementCount',
        'posts.seq',
        'posts.createdAt',
        'posts.updatedAt',
        'posts.editedAt',
        ...AUTHOR_COLUMNS,
      ])
      .select(viewerId === null ? sql<string | null>`null`.as('body') : sql<string | null>`case when posts.author_id = ${viewerId} then posts.body end`.as('body'));

  /**
   * The thread and its consultation's phase; writes (posts, replies, edits and their attribution,
   * deletions, endorsements) need a phase that takes contributions (phases.ts: `open`).
   */
  async function openThread(trx: Kysely<Database>, threadId: number) {
    const thread = await trx
      .selectFrom('threads')
      .innerJoin('consultations', 'consultations.id', 'threads.consultationId')
      .select(['threads.id', 'consultations.phase'])
      .where('threads.id', '=', threadId)
      .executeTakeFirst();
    if (!thread) throw new DomainError('not_found', 'errors.notFoundTitle', 'threadId');
    if (!canContribute(thread.phase)) throw new DomainError('forbidden', 'errors.phaseClosed');
  }

  async function nextSeq(trx: Kysely<Database>, threadId: number): Promise<number> {
    const { lastSeq } = await trx
      .updateTable('threads')
      .set((eb) => ({ lastSeq: eb('lastSeq', '+', 1) }))
      .where('id', '=', threadId)
      .returning('lastSeq')
      .executeTakeFirstOrThrow();
    return lastSeq;
  }

  async function loadRow(trx: Kysely<Database>, postId: number): Promise<Row> {
    const row = await selectPosts(trx).where('posts.id', '=', postId).executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'errors.postNotFound', 'postId');
    return row;
  }

  /**
   * The post already stored under this author's client id. A client id names one submission: the
   * same one sent again (a retry, a double submit) gets the stored post back and nothing is
   * published; a different one (other text, thread, parent or attribution) reusing the id is
   * refused, never answered with the earlier post as if it had been stored. Compared with the
   * post as first sent, so a retry that arrives after its author edited it is still a retry.
   */
  async function retried(row: Row, input: CreatePostInput, doc: LexicalDocument): Promise<PostView> {
    const original = row.editedAt
      ? await db
          .selectFrom('postEdits')
          .select(['body', 'attribution'])
          .where('postId', '=', row.id)
          .orderBy('id', 'asc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    const same =
      row.threadId === input.threadId &&
      (row.parentId ?? null) === (input.parentId ?? null) &&
      (original?.body ?? row.body) === JSON.stringify(doc) &&
      (input.attribution === undefined || input.attribution === (original?.attribution ?? row.attribution));
    if (!same) throw new DomainError('conflict', 'errors.clientIdConflict', 'clientId');
    return toView(row, { id: row.authorId, moderator: false });
  }

  /**
   * Read in the writing transaction, after the thread's seq was taken: writers of one thread are
   * serialised by that row, so the counts are exactly those of this seq.
   */
  async function countsOf(trx: Kysely<Database>, threadId: number): Promise<ThreadCounts> {
    const { visible, hidden } = await trx
      .selectFrom('posts')
      .select((eb) => [
        eb.fn.countAll<string | number>().filterWhere('status', '=', 'visible').as('visible'),
        eb.fn.countAll<string | number>().filterWhere('status', '=', 'hidden').as('hidden'),
      ])
      .where('threadId', '=', threadId)
      .executeTakeFirstOrThrow();
    return { public: Number(visible), moderator: Number(visible) + Number(hidden) };
  }

  function publishRow(type: ThreadEvent['type'], row: Row, counts?: ThreadCounts) {
    options.publish({
      type,
      threadId: row.threadId,
      seq: row.seq,
      public: toView(row, null),
      moderator: toView(row, { id: '', moderator: true }),
      ...(counts ? { counts } : {}),
    });
  }

  const service = {
    async create(authorId: string, input: CreatePostInput, fallbackLanguage: Language): Promise<PostView> {
      const doc = documentOf(input);
      const existing = await selectPosts()
        .where('posts.authorId', '=', authorId)
        .where('posts.clientId', '=', input.clientId)
        .executeTakeFirst();
      if (existing) return retried(existing, input, doc);

      if (!(await postLimiter.consume(authorId)).ok) throw new DomainError('rate_limited', 'errors.rateLimitedPosts');
      const text = plainText(doc);
      let row: Row;
      let counts: ThreadCounts | undefined;
      try {
        row = await db.transaction().execute(async (trx) => {
          await openThread(trx, input.threadId);
          const author = await trx
            .selectFrom('users')
            .select(['defaultAttribution'])
            .where('id', '=', authorId)
            .executeTakeFirst();
          if (!author) throw new DomainError('unauthenticated', 'errors.unauthenticated');
          let rootId: number | null = null;
          if (input.parentId) {
            const parent = await trx
              .selectFrom('posts')
              .select(['id', 'rootId', 'threadId'])
              .where('id', '=', input.parentId)
              .executeTakeFirst();
            if (!parent || parent.threadId !== input.threadId) throw new DomainError('invalid', 'errors.parentNotFound', 'parentId');
            rootId = parent.rootId ?? parent.id;
          }
          const now = new Date().toISOString();
          const seq = await nextSeq(trx, input.threadId);
          const { id } = await trx
            .insertInto('posts')
            .values({
              threadId: input.threadId,
              authorId,
              clientId: input.clientId,
              parentId: input.parentId ?? null,
              rootId,
              attribution: input.attribution ?? author.defaultAttribution,
              language: input.language ?? detectPostLanguage(text, fallbackLanguage),
              body: JSON.stringify(doc),
              bodyText: text,
              bodyHtml: renderHtml(doc),
              seq,
              createdAt: now,
              updatedAt: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          counts = await countsOf(trx, input.threadId);
          return loadRow(trx, id);
        });
      } catch (error) {
        // The same clientId racing itself: the unique index kept one; answer with it.
        if (/unique|duplicate/i.test((error as Error).message)) {
          const again = await selectPosts()
            .where('posts.authorId', '=', authorId)
            .where('posts.clientId', '=', input.clientId)
            .executeTakeFirst();
          if (again) return retried(again, input, doc);
        }
        throw error;
      }
      publishRow('post:created', row, counts);
      return toView(row, { id: authorId, moderator: false });
    },

    async edit(authorId: string, input: EditPostInput): Promise<PostView> {
      const doc = input.body !== undefined || input.text !== undefined ? documentOf(input) : null;
      const row = await db.transaction().execute(async (trx) => {
        const current = await loadRow(trx, input.postId);
        if (current.authorId !== authorId) throw new DomainError('forbidden', 'errors.notYourPost');
        refuseIfHidden(current);
        if (current.status !== 'visible') throw new DomainError('forbidden', 'errors.notYourPost');
        await openThread(trx, current.threadId);
        const now = new Date().toISOString();
        await trx
          .insertInto('postEdits')
          .values({
            postId: current.id,
            body: current.body,
            bodyText: current.bodyText,
            language: current.language,
            attribution: current.attribution,
            replacedAt: now,
          })
          .execute();
        const seq = await nextSeq(trx, current.threadId);
        const { numUpdatedRows } = await trx
          .updateTable('posts')
          .set({
            ...(doc ? { body: JSON.stringify(doc), bodyText: plainText(doc), bodyHtml: renderHtml(doc) } : {}),
            attribution: input.attribution ?? current.attribution,
            language: input.language ?? current.language,
            seq,
            updatedAt: now,
            editedAt: now,
          })
          .where('id', '=', current.id)
          .where('status', '=', 'visible') // a moderator may have hidden it (or its author deleted it) since it was read
          .executeTakeFirstOrThrow();
        if (Number(numUpdatedRows) === 0) {
          refuseIfHidden(await loadRow(trx, current.id));
          throw new DomainError('forbidden', 'errors.notYourPost');
        }
        return loadRow(trx, current.id);
      });
      publishRow('post:updated', row);
      return toView(row, { id: authorId, moderator: false });
    },

    /**
     * Soft deletion by the author: the text goes, the place (and its replies) stays. Not for a
     * post a moderator hid (see `refuseIfHidden`).
     */
    async remove(authorId: string, postId: number): Promise<PostView> {
      let counts: ThreadCounts | undefined;
      const row = await db.transaction().execute(async (trx) => {
        const current = await loadRow(trx, postId);
        if (current.authorId !== authorId) throw new DomainError('forbidden', 'errors.notYourPost');
        await openThread(trx, current.threadId);
        if (current.status === 'deleted') return current;
        refuseIfHidden(current);
        const seq = await nextSeq(trx, current.threadId);
        const { numUpdatedRows } = await trx
          .updateTable('posts')
          .set({ status: 'deleted', seq, updatedAt: new Date().toISOString() })
          .where('id', '=', postId)
          .where('status', '=', 'visible') // a moderator may have hidden it (or another tab deleted it) since it was read
          .executeTakeFirstOrThrow();
        if (Number(numUpdatedRows) === 0) {
          const now = await loadRow(trx, postId);
          refuseIfHidden(now);
          return now; // already deleted
        }
        counts = await countsOf(trx, current.threadId);
        return loadRow(trx, postId);
      });
      publishRow('post:updated', row, counts);
      return toView(row, { id: authorId, moderator: false });
    },

    /** Endorses (or withdraws an endorsement of) a post: one per user, never one's own. */
    async endorse(userId: string, postId: number, endorse: boolean): Promise<PostView> {
      const row = await db.transaction().execute(async (trx) => {
        const current = await loadRow(trx, postId);
        if (current.authorId === userId || current.status !== 'visible') throw new DomainError('forbidden', 'errors.forbidden');
        await openThread(trx, current.threadId);
        const had = await trx
          .selectFrom('endorsements')
          .select('postId')
          .where('postId', '=', postId)
          .where('userId', '=', userId)
          .executeTakeFirst();
        if (!!had === endorse) return null; // nothing changes: idempotent
        if (endorse) {
          await trx.insertInto('endorsements').values({ postId, userId, createdAt: new Date().toISOString() }).execute();
        } else {
          await trx.deleteFrom('endorsements').where('postId', '=', postId).where('userId', '=', userId).execute();
        }
        const seq = await nextSeq(trx, current.threadId);
        await trx
          .updateTable('posts')
          .set((eb) => ({ endorsementCount: eb('endorsementCount', '+', endorse ? 1 : -1), seq }))
          .where('id', '=', postId)
          .execute();
        return loadRow(trx, postId);
      });
      const current = row ?? (await loadRow(db, postId));
      if (row) publishRow('post:endorsed', row);
      return { ...toView(current, { id: userId, moderator: false }), endorsedByMe: endorse };
    },

    /**
     * One page of a thread: top-level posts in the chosen order, each with its replies
     * (oldest first), as `viewer` may see them. Pages are keyset pages (docs/decisions/0006):
     * `after` / `before` is the cursor of the last / first top-level post of the page the reader
     * comes from, so posts that arrive (or go) between two pages neither repeat nor skip any.
     */
    async list(threadId: number, viewer: Viewer | null, query: ListQuery): Promise<ThreadPage> {
      const order = ORDERS[query.sort];
      const before = query.after ? null : decodeCursor(query.before, query.sort);
      const after = decodeCursor(query.after, query.sort) ?? (!before && query.at ? await pageEndingAt(threadId, viewer, query.sort, query.at) : null);
      let page = selectListed(viewer?.id ?? null).where('posts.threadId', '=', threadId).where('posts.rootId', 'is', null);
      if (after) page = page.where((eb) => beyond(eb, order, after, 'after'));
      if (before) page = page.where((eb) => beyond(eb, order, before, 'before'));
      // Going back, read backwards from the cursor, then put the page in reading order.
      const backwards = !!before;
      const fetched = await page
        .orderBy(order.key, backwards ? flip(order.keyDir) : order.keyDir)
        .orderBy('posts.id', backwards ? flip(order.idDir) : order.idDir)
        .limit(PAGE_SIZE + 1)
        .execute();
      const more = fetched.length > PAGE_SIZE;
      let rootRows = fetched.slice(0, PAGE_SIZE);
      if (backwards) rootRows = rootRows.reverse();
      // A "previous" cursor that reaches the start lands on a short page: show the first page instead.
      // So does a cursor past the end (a tampered link, or a post whose endorsements changed).
      if ((backwards && !more && rootRows.length < PAGE_SIZE) || (rootRows.length === 0 && (after || before))) {
        return service.list(threadId, viewer, { sort: query.sort });
      }

      const first = rootRows[0];
      const last = rootRows[rootRows.length - 1];
      const [{ total, all, visible, hidden, earlier }, thread] = await Promise.all([
        db
          .selectFrom('posts')
          .select((eb) => [
            eb.fn.countAll<string | number>().filterWhere('rootId', 'is', null).as('total'),
            eb.fn.countAll<string | number>().as('all'),
            eb.fn.countAll<string | number>().filterWhere('status', '=', 'visible').as('visible'),
            eb.fn.countAll<string | number>().filterWhere('status', '=', 'hidden').as('hidden'),
            // Where this page starts among the top-level posts: how many come before it.
            (first
              ? eb.fn.countAll<string | number>().filterWhere((w) => w.and([w('rootId', 'is', null), beyond(w, order, cursorOf(first, query.sort), 'before')]))
              : eb.lit(0)
            ).as('earlier'),
          ])
          .where('threadId', '=', threadId)
          .executeTakeFirstOrThrow(),
        db.selectFrom('threads').select('lastSeq').where('id', '=', threadId).executeTakeFirstOrThrow(),
      ]);
      const start = Number(earlier);
      const hasNext = backwards ? true : more;
      const hasPrevious = start > 0;
      const replyRows = rootRows.length
        ? await selectListed(viewer?.id ?? null)
            .where('posts.threadId', '=', threadId) // lets the (thread_id, root_id, …) index serve it
            .where(
              'posts.rootId',
              'in',
              rootRows.map((r) => r.id),
            )
            .orderBy('posts.createdAt', 'asc')
            .orderBy('posts.id', 'asc')
            .execute()
        : [];
      const endorsed = new Set<number>();
      if (viewer) {
        const ids = [...rootRows, ...replyRows].map((r) => r.id);
        if (ids.length) {
          const rows = await db
            .selectFrom('endorsements')
            .select('postId')
            .where('userId', '=', viewer.id)
            .where('postId', 'in', ids)
            .execute();
          for (const r of rows) endorsed.add(r.postId);
        }
      }
      const view = (r: ViewRow) => ({ ...toView(r, viewer), ...(viewer ? { endorsedByMe: endorsed.has(r.id) } : {}) });
      return {
        posts: rootRows.map((r) => ({ ...view(r), replies: replyRows.filter((x) => x.rootId === r.id).map(view) })),
        total: Number(total),
        all: Number(all),
        contributions: Number(visible) + (viewer?.moderator ? Number(hidden) : 0),
        from: rootRows.length ? start + 1 : 0,
        to: start + rootRows.length,
        previous: hasPrevious && first ? encodeCursor(cursorOf(first, query.sort)) : null,
        next: hasNext && last ? encodeCursor(cursorOf(last, query.sort)) : null,
        seq: thread.lastSeq,
      };
    },

    /** The thread's last change (its sequence number), bumped by every write to its posts; -1 if no such thread. */
    async lastSeq(threadId: number): Promise<number> {
      const row = await db.selectFrom('threads').select('lastSeq').where('id', '=', threadId).executeTakeFirst();
      return row?.lastSeq ?? -1;
    },

    /**
     * What changed in a thread after `since` (a reconnecting client's cursor), oldest change
     * first, at most `limit` posts. `seq` is the cursor to ask from next: everything up to it is
     * in `posts`. When truncated that is the last post returned (the client asks again from
     * there), else the thread's last change.
     */
    async since(threadId: number, since: number, viewer: Viewer | null, limit = 500) {
      const rows = await selectPosts()
        .where('posts.threadId', '=', threadId)
        .where('posts.seq', '>', since)
        .orderBy('posts.seq', 'asc')
        .limit(limit + 1)
        .execute();
      const truncated = rows.length > limit;
      const page = rows.slice(0, limit);
      if (truncated) return { posts: page.map((r) => toView(r, viewer)), truncated, seq: page[page.length - 1]!.seq };
      const thread = await db.selectFrom('threads').select('lastSeq').where('id', '=', threadId).executeTakeFirst();
      // A change committed after the rows were read is past this cursor too: the client is in the
      // thread's room by then, so it hears of it live.
      return { posts: page.map((r) => toView(r, viewer)), truncated, seq: thread?.lastSeq ?? since };
    },

    /** The thread's contributions as `viewer` counts them (ThreadCounts), and the seq they are exact at. */
    async contributions(threadId: number, viewer: Viewer | null): Promise<{ count: number; seq: number }> {
      // One statement: the seq and the counts are read from the same state.
      const counted = (eb: ExpressionBuilder<Database, 'threads'>, status: 'visible' | 'hidden') =>
        eb.selectFrom('posts').select((p) => p.fn.countAll<string | number>().as('n')).whereRef('posts.threadId', '=', 'threads.id').where('posts.status', '=', status);
      const row = await db
        .selectFrom('threads')
        .select((eb) => ['lastSeq', counted(eb, 'visible').as('visible'), counted(eb, 'hidden').as('hidden')])
        .where('id', '=', threadId)
        .executeTakeFirst();
      if (!row) return { count: 0, seq: 0 };
      return { count: Number(row.visible) + (viewer?.moderator ? Number(row.hidden) : 0), seq: row.lastSeq };
    },

    /**
     * A moderator hides a post (with a reason) or restores it, in any phase. The author and
     * moderators still see hidden text, marked; everyone else sees a placeholder. The change,
     * its audit entry, the resolution of open flags on the post and the author's notice
     * commit together; then the thread hears of it.
     */
    async moderate(actorId: string, postId: number, hide: boolean, reason: string | null): Promise<PostView> {
      const trimmed = reason?.trim() || null;
      if (hide && !trimmed) throw new DomainError('invalid', 'errors.noteRequired', 'reason');
      let counts: ThreadCounts | undefined;
      const row = await db.transaction().execute(async (trx) => {
        const current = await loadRow(trx, postId);
        const context = await trx
          .selectFrom('threads')
          .innerJoin('consultations', 'consultations.id', 'threads.consultationId')
          .leftJoin('questions', 'questions.id', 'threads.questionId')
          .select(['threads.consultationId', 'threads.number', 'consultations.slug', 'questions.number as questionNumber'])
          .where('threads.id', '=', current.threadId)
          .executeTakeFirstOrThrow();
        if (!can(await roleOf(trx, actorId, context.consultationId), 'moderation.act')) throw new DomainError('forbidden', 'errors.forbidden');
        const from = current.status;
        if (from === 'deleted' || (hide ? from !== 'visible' : from !== 'hidden')) throw new DomainError('conflict', 'errors.moderationConflict');
        const now = new Date().toISOString();
        const seq = await nextSeq(trx, current.threadId);
        const { numUpdatedRows } = await trx
          .updateTable('posts')
          .set({ status: hide ? 'hidden' : 'visible', hiddenReason: hide ? trimmed : null, seq, updatedAt: now })
          .where('id', '=', postId)
          .where('status', '=', from) // its author may have deleted it since it was read
          .executeTakeFirstOrThrow();
        if (Number(numUpdatedRows) === 0) throw new DomainError('conflict', 'errors.moderationConflict');
        const action = hide ? 'post.hide' : 'post.restore';
        await trx
          .updateTable('flags')
          .set({ status: hide ? 'resolved' : 'dismissed', resolvedBy: actorId, resolvedAt: now, resolution: action })
          .where('subjectType', '=', 'post')
          .where('subjectId', '=', postId)
          .where('status', '=', 'open')
          .execute();
        await recordAudit(trx, {
          actorId,
          consultationId: context.consultationId,
          action,
          subjectType: 'post',
          subjectId: String(postId),
          reason: trimmed,
          details: { threadId: current.threadId, thread: context.number },
        });
        await notify(trx, {
          userId: current.authorId,
          kind: action,
          subjectType: 'post',
          subjectId: postId,
          details: { note: trimmed, slug: context.slug, question: context.questionNumber, thread: context.number },
        });
        counts = await countsOf(trx, current.threadId);
        return loadRow(trx, postId);
      });
      publishRow('post:updated', row, counts);
      return toView(row, { id: actorId, moderator: true });
    },

    /** The full record of a post, for moderators and the author's own edit history. */
    async history(postId: number) {
      return db.selectFrom('postEdits').selectAll().where('postId', '=', postId).orderBy('id', 'asc').execute();
    },
  };
  return service;
}

/**
 * How each sort orders top-level posts. Every order ends with the id, so it is total: a keyset
 * cursor (key, id) then names one position, even among posts created in the same millisecond
 * or with as many endorsements.
 */
const ORDERS = {
  oldest: { key: 'posts.createdAt', keyDir: 'asc', idDir: 'asc' },
  newest: { key: 'posts.createdAt', keyDir: 'desc', idDir: 'desc' },
  endorsed: { key: 'posts.endorsementCount', keyDir: 'desc', idDir: 'asc' },
} as const satisfies Record<Sort, { key: 'posts.createdAt' | 'posts.endorsementCount'; keyDir: Dir; idDir: Dir }>;
type Dir = 'asc' | 'desc';
type Order = (typeof ORDERS)[Sort];
const flip = (dir: Dir): Dir => (dir === 'asc' ? 'desc' : 'asc');

/** A position in a sort: the sort key of a top-level post and its id. */
interface Cursor {
  key: string | number;
  id: number;
}

function cursorOf(row: Pick<PostRow, 'createdAt' | 'endorsementCount' | 'id'>, sort: Sort): Cursor {
  return { key: sort === 'endorsed' ? Number(row.endorsementCount) : row.createdAt, id: row.id };
}

/** A cursor as page links carry it: opaque to readers, `base64url(JSON [key, id])`. */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

/** The cursor of a page link, or null if absent or not one this sort can use (a tampered link: the first page). */
function decodeCursor(raw: string | null | undefined, sort: Sort): Cursor | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [key, id] = value as unknown[];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return null;
    if (sort === 'endorsed' ? typeof key === 'number' && Number.isSafeInteger(key) : typeof key === 'string' && key.length <= 40) {
      return { key: key as string | number, id };
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * Top-level posts strictly past `cursor` in the order (`after`), or strictly before it
 * (`before`): `key beyond c.key, or key = c.key and id beyond c.id`.
 */
function beyond(eb: ExpressionBuilder<PostsFrom, 'posts'>, order: Order, cursor: Cursor, side: 'after' | 'before') {
  const cmp = (dir: Dir) => ((dir === 'asc') === (side === 'after') ? '>' : '<');
  return eb.or([
    eb(order.key, cmp(order.keyDir), cursor.key as never),
    eb.and([eb(order.key, '=', cursor.key as never), eb('posts.id', cmp(order.idDir), cursor.id)]),
  ]);
}

/**
 * A hidden post is the moderators' record of what was hidden and why (docs/decisions/0007):
 * its author may read it, and ask a moderator to restore it, but neither edit nor delete it.
 * Deleting would drop its text and reason from every view, the moderators' included, and an
 * edit would change what the decision was about.
 */
function refuseIfHidden(row: Pick<PostRow, 'status'>) {
  if (row.status === 'hidden') throw new DomainError('forbidden', 'errors.postHiddenLocked');
}

function documentOf(input: { body?: string | Record<string, unknown>; text?: string }): LexicalDocument {
  try {
    if (input.body !== undefined && input.body !== '') return sanitizeDocument(input.body);
    return documentFromText(input.text ?? '');
  } catch (error) {
    if (error instanceof InvalidDocument) throw new DomainError('invalid', error.messageKey, 'body');
    throw error;
  }
}

/**
 * A post as `viewer` may see it (null: anyone, e.g. a broadcast to the thread). The author
 * is reduced to what the attribution allows; moderators also get the real author; hidden text
 * reaches only moderators and the author, deleted text no one (app/contributions/visibility.ts).
 */
export function toView(row: ViewRow, viewer: Viewer | null): PostView {
  const mine = !!viewer && viewer.id === row.authorId;
  const moderator = !!viewer?.moderator;
  const readable = postTextReadable(row.status, { mine, moderator });
  const { author, real: realAuthor } = authorsOf(row);
  return {
    id: row.id,
    threadId: row.threadId,
    clientId: row.clientId,
    parentId: row.parentId,
    rootId: row.rootId,
    seq: row.seq,
    status: row.status,
    html: readable ? row.bodyHtml : null,
    ...(row.status === 'hidden' && readable ? { hiddenReason: row.hiddenReason } : {}),
    language: row.language,
    author,
    endorsements: row.endorsementCount,
    createdAt: row.createdAt,
    editedAt: row.editedAt,
    ...(moderator ? { realAuthor } : {}),
    ...(mine ? { mine: true, body: (readable && row.body) || undefined } : {}),
  };
}

export type PostService = ReturnType<typeof createPostService>;
