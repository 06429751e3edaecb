/**
 * The contributions a synthesis note cites (app/editor/citation-node.ts): what each citation
 * shows as a footnote, and what an editor may cite. A footnote honours the contribution's own
 * attribution (named, organisation, Chatham House) for every reader, moderators included: a note
 * is a shared document that leaves the platform. A hidden or withdrawn post shows its marker and
 * state only; an unpublished or restricted case study, to those who may not read it, shows as
 * "not found", exactly as one that does not exist.
 */
import { sql, type Kysely } from 'kysely';
import type { Attribution, Database } from '../../db/schema';
import { roleOf } from '../accounts/accounts.server';
import { can } from '../accounts/roles';
import { caseStudyHref, postHrefFromThread } from '../components/moderation/links';
import { citationKey, citationMarker, type CitationRef } from '../editor/citation-node';
import { authorAs, type PublicAuthor } from '../posts/post-view';

export type SourceState = 'available' | 'hidden' | 'withdrawn' | 'missing';

export interface Source {
  kind: CitationRef['kind'];
  id: number;
  /** C-17, CS-4 */
  marker: string;
  state: SourceState;
  /** The rest is null unless `available`. */
  author: PublicAuthor | null;
  /** A post's opening words, a case study's title. */
  excerpt: string | null;
  /** The post's sub-question or question thread ("2.4", "2"). */
  thread: string | null;
  href: string | null;
}

export const EXCERPT_CHARS = 160;
/** Most citations resolved in one call (a long note cites a few hundred). */
export const MAX_REFS = 500;

export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= EXCERPT_CHARS) return flat;
  const cut = flat.slice(0, EXCERPT_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const unavailable = (ref: CitationRef, state: SourceState): Source => ({
  kind: ref.kind,
  id: ref.id,
  marker: citationMarker(ref.kind, ref.id),
  state,
  author: null,
  excerpt: null,
  thread: null,
  href: null,
});

interface Author {
  attribution: Attribution;
  authorName: string;
  authorOrganisation: string;
  authorGroup: string;
}
const publicAuthor = (row: Author) =>
  authorAs(row.attribution, { name: row.authorName, organisation: row.authorOrganisation, stakeholderGroup: row.authorGroup });

export function createCitationService(db: Kysely<Database>) {
  const postRows = () =>
    db
      .selectFrom('posts')
      .innerJoin('threads', 'threads.id', 'posts.threadId')
      .innerJoin('users', 'users.id', 'posts.authorId')
      .select([
        'posts.id',
        'posts.status',
        'posts.attribution',
        'posts.bodyText',
        'threads.number as thread',
        'threads.consultationId',
        'users.name as authorName',
        'users.organisation as authorOrganisation',
        'users.stakeholderGroup as authorGroup',
      ]);

  const caseStudyRows = () =>
    db
      .selectFrom('caseStudies')
      .innerJoin('users', 'users.id', 'caseStudies.authorId')
      .select([
        'caseStudies.id',
        'caseStudies.status',
        'caseStudies.visibility',
        'caseStudies.attribution',
        'caseStudies.title',
        'caseStudies.consultationId',
        'users.name as authorName',
        'users.organisation as authorOrganisation',
        'users.stakeholderGroup as authorGroup',
      ]);

  type PostRow = Awaited<ReturnType<ReturnType<typeof postRows>['execute']>>[number];
  type CaseStudyRow = Awaited<ReturnType<ReturnType<typeof caseStudyRows>['execute']>>[number];

  function postSource(slug: string, row: PostRow): Source {
    const ref = { kind: 'post' as const, id: row.id };
    if (row.status === 'hidden') return unavailable(ref, 'hidden');
    if (row.status === 'deleted') return unavailable(ref, 'withdrawn');
    return {
      ...unavailable(ref, 'available'),
      author: publicAuthor(row),
      excerpt: excerptOf(row.bodyText),
      thread: row.thread,
      href: postHrefFromThread(slug, row.thread, row.id),
    };
  }

  function caseStudySource(slug: string, row: CaseStudyRow, readsRestricted: boolean): Source {
    const ref = { kind: 'case_study' as const, id: row.id };
    // Whoever may not read it is answered as for a case study that does not exist, as its pages
    // answer 404: a different answer would tell that an unpublished or restricted one exists.
    if (!readsRestricted && (row.status !== 'published' || row.visibility === 'restricted')) return unavailable(ref, 'missing');
    if (row.status !== 'published') return unavailable(ref, 'withdrawn');
    return { ...unavailable(ref, 'available'), author: publicAuthor(row), excerpt: row.title, href: caseStudyHref(slug, row.id) };
  }

  async function context(userId: string, consultationId: number) {
    const [role, consultation] = await Promise.all([
      roleOf(db, userId, consultationId),
      db.selectFrom('consultations').select('slug').where('id', '=', consultationId).executeTakeFirstOrThrow(),
    ]);
    return { slug: consultation.slug, readsRestricted: can(role, 'content.review') };
  }

  return {
    /** The footnotes of `refs` (in their order) as `userId` may read them, within one consultation. */
    async resolve(userId: string, consultationId: number, refs: CitationRef[]): Promise<Source[]> {
      const wanted = refs.slice(0, MAX_REFS);
      if (wanted.length === 0) return [];
      const { slug, readsRestricted } = await context(userId, consultationId);
      const ids = (kind: CitationRef['kind']) => [...new Set(wanted.filter((r) => r.kind === kind).map((r) => r.id))];
      const [posts, caseStudies] = await Promise.all([
        ids('post').length ? postRows().where('posts.id', 'in', ids('post')).where('threads.consultationId', '=', consultationId).execute() : [],
        ids('case_study').length
          ? caseStudyRows().where('caseStudies.id', 'in', ids('case_study')).where('caseStudies.consultationId', '=', consultationId).execute()
          : [],
      ]);
      const found = new Map<string, Source>();
      for (const row of posts) found.set(`post:${row.id}`, postSource(slug, row));
      for (const row of caseStudies) found.set(`case_study:${row.id}`, caseStudySource(slug, row, readsRestricted));
      return wanted.map((ref) => found.get(citationKey(ref)) ?? unavailable(ref, 'missing'));
    },

    /**
     * What an editor of a note may cite: visible posts of the note's question (or of the whole
     * consultation) and the published case studies informing it, newest first, optionally matching
     * `query` (words of the text or title, or a marker such as "C-17").
     */
    async candidates(userId: string, note: { consultationId: number; questionId: number | null }, query = '', limit = 20): Promise<Source[]> {
      const { slug, readsRestricted } = await context(userId, note.consultationId);
      const q = query.trim().slice(0, 200);
      const marker = /^(cs|c)-?(\d{1,9})$/i.exec(q.replace(/[[\]\s]/g, ''));
      const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const contains = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${like} escape '\\'`;

      let posts = postRows().where('posts.status', '=', 'visible').where('threads.consultationId', '=', note.consultationId);
      if (note.questionId !== null) posts = posts.where('threads.questionId', '=', note.questionId);
      let caseStudies = caseStudyRows().where('caseStudies.status', '=', 'published').where('caseStudies.consultationId', '=', note.consultationId);
      if (!readsRestricted) caseStudies = caseStudies.where('caseStudies.visibility', '=', 'public');
      if (note.questionId !== null) {
        const subQuestions = db.selectFrom('subQuestions').select(sql<string>`cast(${sql.ref('subQuestions.id')} as text)`.as('id')).where('questionId', '=', note.questionId);
        caseStudies = caseStudies.where((eb) =>
          eb.exists(
            eb
              .selectFrom('caseStudyTags')
              .select('caseStudyTags.caseStudyId')
              .whereRef('caseStudyTags.caseStudyId', '=', 'caseStudies.id')
              .where('caseStudyTags.kind', '=', 'subQuestion')
              .where('caseStudyTags.value', 'in', subQuestions),
          ),
        );
      }
      if (marker) {
        const id = Number(marker[2]);
        const isCaseStudy = marker[1]!.toLowerCase() === 'cs';
        posts = posts.where('posts.id', '=', isCaseStudy ? -1 : id);
        caseStudies = caseStudies.where('caseStudies.id', '=', isCaseStudy ? id : -1);
      } else if (q) {
        posts = posts.where(contains('posts.bodyText'));
        caseStudies = caseStudies.where((eb) => eb.or([contains('caseStudies.title'), contains('caseStudies.summary')]));
      }
      const [postList, caseStudyList] = await Promise.all([
        posts.orderBy('posts.createdAt', 'desc').orderBy('posts.id', 'desc').limit(limit).execute(),
        caseStudies.orderBy('caseStudies.publishedAt', 'desc').orderBy('caseStudies.id', 'desc').limit(limit).execute(),
      ]);
      return [
        ...caseStudyList.map((row) => caseStudySource(slug, row, readsRestricted)),
        ...postList.map((row) => postSource(slug, row)),
      ];
    },
  };
}

export type CitationService = ReturnType<typeof createCitationService>;
