/**
 * The search benchmark's data (search.ts): the default consultation (db/seeds/consultation.ts),
 * USERS participants across the stakeholder groups and countries, a moderator, and `count`
 * posts of search-corpus.ts spread over all the consultation's threads, written straight into
 * `posts` in bulk (multi-row inserts of CHUNK rows, TRANSACTION_CHUNKS chunks per transaction).
 *
 * Each post is what the post service would store: canonical Lexical JSON (`body`), its plain
 * text and HTML (app/posts/lexical.ts), per-thread increasing `seq` (and `threads.lastSeq` set
 * after), a third of them replies (parent and root in the same thread), mixed attribution,
 * ~3% hidden by moderation and ~1% deleted, a few edited, dates spread over six months.
 *
 * Generating the text and writing the rows are timed apart: `insertMs` is the database's share
 * alone (with whatever triggers maintain the search index), `generateMs` this process's.
 */
import type { Insertable, Kysely } from 'kysely';
import { documentFromText, plainText, renderHtml } from '../../app/posts/lexical';
import type { Attribution, Database, PostsTable } from '../../db/schema';
import { seedConsultation } from '../../db/seeds/consultation';
import { createCorpus, expectedMatch, prng, QUERIES, QUERY_CATEGORIES } from './search-corpus';

export const USERS = 300;
/** Rows per INSERT: 17 columns × 500 = 8,500 parameters, under SQLite's 32,766 and PostgreSQL's 65,535. */
const CHUNK = 500;
const TRANSACTION_CHUNKS = 20;
const REPLY_RATE = 0.35;
const DAYS = 180;

const GROUPS = ['government', 'civil-society', 'business', 'local-government'];
const COUNTRIES = ['SN', 'ML', 'MA', 'TN', 'NG', 'KE', 'ET', 'PH', 'ID', 'BD', 'NP', 'LK', 'MX', 'GT', 'SV', 'HN', 'CO', 'EC', 'PE', 'ES', 'FR', 'DE', 'IT', 'CH', 'CA', 'US', 'AE', 'QA', 'JO', 'LB'];
const FIRST = ['Aïssatou', 'José', 'Chloé', 'Nguyễn', 'Zoë', 'Ibrahim', 'María José', 'Łukasz', 'Fatoumata', 'João', 'Siddharth', 'Ngozi', 'Hélène', 'Andrés', 'Amina', 'Rizal'];
const LAST = ['Ndiaye', 'Fernández', 'Okafor', 'Sow', 'Dubois', 'Muñoz', 'Santos', 'Haddad', 'Reyes', 'Kamau', 'Traoré', 'Gómez', 'Nowak', 'Mensah', 'Perera', 'Alvarado'];
const ORGANISATIONS = ['Ministère du Travail', 'Asociación de Migrantes', 'Chamber of Commerce', 'Ville de Dakar', 'Red Migración y Desarrollo', 'Diaspora Forum', 'Municipalidad de Quito', 'Trade Union Congress'];
const HIDDEN_REASONS = ['Hors sujet', 'Off-topic advertising', 'Contenido ofensivo', 'Données personnelles'];

export interface SearchFixture {
  consultationId: number;
  /** A participant with no special right: what most searches are. */
  participantId: string;
  moderatorId: string;
  posts: number;
  threads: number;
  /** Ids of hidden and deleted posts: a participant's results must never hold one. */
  notVisible: Set<number>;
  /** Per query (search-corpus.ts QUERIES), how many posts match token for token: visible ones, and those a moderator reads (visible and hidden). */
  expected: Record<string, { visible: number; all: number }>;
  /** Smallest and largest post id (the floor query picks ids between them). */
  idRange: [number, number];
  words: { mean: number; min: number; max: number };
  byLanguage: Record<string, number>;
  byStatus: Record<string, number>;
  usersMs: number;
  generateMs: number;
  insertMs: number;
}

export async function seedSearchBench(db: Kysely<Database>, count: number): Promise<SearchFixture> {
  const { consultationId } = await seedConsultation(db);
  const random = prng(15);
  const now = Date.now();
  const start = now - DAYS * 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  const u0 = performance.now();
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: `search-user-${i}`,
    email: `search-${i}@example.org`,
    name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`,
    nameKey: `search participant ${i}`,
    organisation: `${ORGANISATIONS[i % ORGANISATIONS.length]} ${i % 41}`,
    stakeholderGroup: GROUPS[i % GROUPS.length]!,
    country: COUNTRIES[(i * 11) % COUNTRIES.length]!,
    passwordHash: 'x',
    createdAt: iso(start - 86_400_000),
    updatedAt: iso(start - 86_400_000),
  }));
  const moderatorId = 'search-moderator';
  users.push({ ...users[0]!, id: moderatorId, email: 'search-moderator@example.org', name: 'Lucía Moderadora', nameKey: 'search moderator', stakeholderGroup: 'civil-society', country: 'MX' });
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < users.length; i += 100) await trx.insertInto('users').values(users.slice(i, i + 100)).execute();
    const members = users.map((u) => ({ consultationId, userId: u.id, role: u.id === moderatorId ? ('moderator' as const) : ('participant' as const), createdAt: u.createdAt, updatedAt: u.createdAt }));
    for (let i = 0; i < members.length; i += 100) await trx.insertInto('consultationMembers').values(members.slice(i, i + 100)).execute();
  });
  const usersMs = performance.now() - u0;

  const threads = await db.selectFrom('threads').select('id').where('consultationId', '=', consultationId).orderBy('id').execute();
  // Some threads are busier than others: thread i drawn with a skew towards the first ones.
  const threadOf = () => threads[Math.floor(threads.length * random() ** 1.4)]!.id;
  const seqs = new Map<number, number>(threads.map((t) => [t.id, 0]));
  /** Posts already written, per thread, for replies: [id, rootId ?? id]. */
  const written = new Map<number, [number, number][]>(threads.map((t) => [t.id, []]));

  const next = createCorpus(42, count);
  const matchers = QUERY_CATEGORIES.flatMap((c) => QUERIES[c]).map((q) => [q, expectedMatch(q)] as const);
  const expected: SearchFixture['expected'] = Object.fromEntries(matchers.map(([q]) => [q, { visible: 0, all: 0 }]));
  const notVisible = new Set<number>();
  const byLanguage: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const words = { sum: 0, min: Infinity, max: 0 };
  let generateMs = 0;
  let insertMs = 0;
  let firstId = Infinity;
  let lastId = 0;

  for (let t0 = 0; t0 < count; t0 += CHUNK * TRANSACTION_CHUNKS) {
    await db.transaction().execute(async (trx) => {
      for (let c0 = t0; c0 < Math.min(count, t0 + CHUNK * TRANSACTION_CHUNKS); c0 += CHUNK) {
        const g0 = performance.now();
        const rows: (Insertable<PostsTable> & { threadId: number; rootId: number | null; status: string })[] = [];
        const matched: string[][] = [];
        for (let i = c0; i < Math.min(count, c0 + CHUNK); i++) {
          const post = next();
          const doc = documentFromText(post.paragraphs.join('\n\n'));
          const bodyText = plainText(doc);
          const threadId = threadOf();
          const seq = seqs.get(threadId)! + 1;
          seqs.set(threadId, seq);
          const earlier = written.get(threadId)!;
          const parent = earlier.length && random() < REPLY_RATE ? earlier[Math.floor(random() * earlier.length)]! : null;
          const s = random();
          const status = s < 0.03 ? 'hidden' : s < 0.04 ? 'deleted' : 'visible';
          const a = random();
          const attribution: Attribution = a < 0.55 ? 'named' : a < 0.85 ? 'organisation' : 'chatham';
          // Spread over the period, in order: seq and createdAt increase together within a thread.
          const createdMs = start + Math.floor(((i + random()) / count) * DAYS * 86_400_000);
          const edited = random() < 0.05 ? iso(createdMs + 3_600_000) : null;
          rows.push({
            threadId,
            authorId: users[Math.floor(USERS * random() ** 1.2)]!.id,
            clientId: `search-bench-${i}`,
            parentId: parent ? parent[0] : null,
            rootId: parent ? parent[1] : null,
            attribution,
            language: post.language,
            body: JSON.stringify(doc),
            bodyText,
            bodyHtml: renderHtml(doc),
            status: status as 'hidden' | 'deleted' | 'visible',
            hiddenReason: status === 'hidden' ? HIDDEN_REASONS[i % HIDDEN_REASONS.length]! : null,
            endorsementCount: Math.floor(random() ** 3 * 12),
            seq,
            createdAt: iso(createdMs),
            updatedAt: edited ?? iso(createdMs),
            editedAt: edited,
          });
          const lower = bodyText.toLowerCase();
          matched.push(matchers.filter(([, m]) => m(lower)).map(([q]) => q));
          byLanguage[post.language] = (byLanguage[post.language] ?? 0) + 1;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          words.sum += post.words;
          words.min = Math.min(words.min, post.words);
          words.max = Math.max(words.max, post.words);
        }
        const i0 = performance.now();
        generateMs += i0 - g0;
        const ids = await trx.insertInto('posts').values(rows).returning('id').execute();
        insertMs += performance.now() - i0;
        if (ids.length !== rows.length) throw new Error(`inserted ${rows.length} posts, ${ids.length} ids returned`);
        ids.forEach(({ id }, k) => {
          const row = rows[k]!;
          written.get(row.threadId)!.push([id, row.rootId ?? id]);
          if (row.status !== 'visible') notVisible.add(id);
          for (const q of matched[k]!) {
            // A moderator reads hidden posts; a withdrawn (deleted) one is no one's to find.
            if (row.status !== 'deleted') expected[q]!.all++;
            if (row.status === 'visible') expected[q]!.visible++;
          }
          firstId = Math.min(firstId, id);
          lastId = Math.max(lastId, id);
        });
      }
    });
  }
  const s0 = performance.now();
  await db.transaction().execute(async (trx) => {
    for (const [threadId, lastSeq] of seqs) if (lastSeq > 0) await trx.updateTable('threads').set({ lastSeq }).where('id', '=', threadId).execute();
  });
  insertMs += performance.now() - s0;

  return {
    consultationId,
    participantId: users[7]!.id,
    moderatorId,
    posts: count,
    threads: threads.length,
    notVisible,
    expected,
    idRange: [firstId, lastId],
    words: { mean: Math.round(words.sum / Math.max(1, count)), min: words.min, max: words.max },
    byLanguage,
    byStatus,
    usersMs,
    generateMs,
    insertMs,
  };
}
