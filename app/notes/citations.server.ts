/**
 * The contributions a synthesis note cites (app/notes/citation-node.ts): what each citation
 * shows as a footnote, and what an editor may cite. A footnote honours the contribution's own
 * attribution (named, organisation, Chatham House) for every reader, moderators included: a note
 * is a shared document that leaves the platform. A hidden or withdrawn post shows its marker and
 * state only; an unpublished or restricted case study, to those who may not read it, shows as
 * "not found", exactly as one that does not exist. Those rules, and the attribution, are
 * app/contributions/'s (docs/decisions/0014): this module only words sources as footnotes.
 *
 * A citation of a clip of the compilation (kind `clip`, marker CL-12) quotes the clipped words,
 * then names their source exactly as a citation of that source would, with how the source stands
 * against the words now (the compilation's clip states: `changed` once it was edited). A reader
 * who may not read the compilation, or the source, gets the unavailable states and no words.
 *
 * A footnote also says where its source stands since it was cited (`standing`, the compilation's
 * vocabulary, app/contributions/standing.ts): a post edited since, for every reader; a case
 * study rejected or restricted, for staff who may still read it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { PublicAuthor } from '../contributions/attribution';
import { caseStudiesInforming, sourceCaseStudies, sourcePosts } from '../contributions/filters.server';
import { readClips, type ClipRead } from '../compilation/clip-reads.server';
import type { ClipState } from '../compilation/compilation.server';
import { citationKey, citationMarker, isContributionRef, type CitationRef, type NoteCitationRef } from '../contributions/refs';
import {
  caseStudySource,
  postSource,
  readSources,
  selectCaseStudySources,
  selectPostSources,
  subQuestionsOf,
  unavailable,
  viewerIn,
  type Source as ContributionSource,
} from '../contributions/sources.server';
import type { SourceStanding } from '../contributions/standing';
import type { SourceState } from '../contributions/visibility';
import { citationTimes } from './note-citations.server';
import { createSearchService } from '../search/search.server';

export type { SourceState };

/** A citation's footnote. */
export interface Source {
  kind: NoteCitationRef['kind'];
  id: number;
  /** C-17, CS-4, CL-12 */
  marker: string;
  state: SourceState;
  /** Since it was cited: `changed` (a post edited since), `rejected` / `restricted` (staff), else from `state` (`fresh` when available). */
  standing: SourceStanding;
  /** The rest is null unless `available`. */
  author: PublicAuthor | null;
  /** A post's opening words, a case study's title. */
  excerpt: string | null;
  /** The post's sub-question or question thread ("2.4", "2"). */
  thread: string | null;
  href: string | null;
  /**
   * A clip's citation, when available: the contribution quoted (author, thread and href above are
   * its own) and how it stands against the clipped words (`excerpt`, above) now.
   */
  clip?: { source: { kind: CitationRef['kind']; id: number; marker: string }; state: ClipState };
}

export const EXCERPT_CHARS = 160;
/** A clip's footnote quotes this many characters of the clipped words at most (a clip may hold a whole case study). */
export const QUOTE_CHARS = 400;
/** Most citations resolved in one call (a long note cites a few hundred). */
export const MAX_REFS = 500;

export function excerptOf(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Never half of a surrogate pair (an emoji): a lone surrogate is not text, and breaks the PDF export.
  const cut = flat.slice(0, /[\uD800-\uDBFF]/.test(flat[max - 1] ?? '') ? max - 1 : max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A source as a footnote. The author is the attributed one (`author`) for every reader: a
 * moderator's `realAuthor` never reaches a note, which leaves the platform.
 */
function footnote(source: ContributionSource, citedAt?: string): Source {
  if (source.state !== 'available') {
    // `readable` (asked for by `resolve`) says only that staff may still read a rejected case study: nothing of it is shown.
    const rejected = source.readable?.kind === 'case_study' && source.readable.status === 'rejected';
    const standing = rejected ? 'rejected' : source.state;
    return { kind: source.kind, id: source.id, marker: source.marker, state: source.state, standing, author: null, excerpt: null, thread: null, href: null };
  }
  const standing =
    source.kind === 'case_study' && source.visibility === 'restricted' ? 'restricted' : source.kind === 'post' && citedAt && source.changedAt > citedAt ? 'changed' : 'fresh';
  return {
    kind: source.kind,
    id: source.id,
    marker: source.marker,
    state: source.state,
    standing,
    author: source.author,
    excerpt: source.kind === 'post' ? excerptOf(source.fields.body) : source.fields.title,
    thread: source.kind === 'post' ? source.thread : null,
    href: source.href,
  };
}

/**
 * A clip citation's footnote: its words and its source's footnote when both may be read, else
 * the marker and a state alone (the source's, or `missing` when the clip itself may not be read).
 */
function clipFootnote(id: number, clip: ClipRead, sources: Map<string, ContributionSource>): Source {
  const marker = citationMarker('clip', id);
  const gone = (state: Exclude<SourceState, 'available'>): Source => ({ kind: 'clip', id, marker, state, standing: state, author: null, excerpt: null, thread: null, href: null });
  if (!clip.readable) return gone('missing');
  const source = footnote(sources.get(citationKey(clip.source)) ?? unavailable(clip.source, 'missing'));
  if (source.state !== 'available') return gone(source.state);
  if (clip.quote === null) return gone('missing');
  return {
    kind: 'clip',
    id,
    marker,
    state: 'available',
    // The clip's own standing is told with its words (`clip.state`), not as the citation's.
    standing: 'fresh',
    author: source.author,
    excerpt: excerptOf(clip.quote, QUOTE_CHARS),
    thread: source.thread,
    href: source.href,
    clip: { source: { kind: source.kind as CitationRef['kind'], id: source.id, marker: source.marker }, state: clip.state },
  };
}

export function createCitationService(db: Kysely<Database>) {
  const search = createSearchService(db);
  return {
    /**
     * The footnotes of `refs` (contributions and clips, in their order) as `userId` may read them,
     * within one consultation; with `noteId`, a post edited since that note first cited it is `changed`.
     */
    async resolve(userId: string, consultationId: number, refs: NoteCitationRef[], noteId?: number): Promise<Source[]> {
      const wanted = refs.slice(0, MAX_REFS);
      if (wanted.length === 0) return [];
      const viewer = await viewerIn(db, userId, consultationId);
      const [clips, cited] = await Promise.all([
        readClips(db, viewer, wanted.filter((ref) => ref.kind === 'clip').map((ref) => ref.id)),
        noteId === undefined ? new Map<string, string>() : citationTimes(db, noteId),
      ]);
      const quoted = [...clips.values()].flatMap((clip) => (clip.readable ? [clip.source] : []));
      const sources = await readSources(db, viewer, [...wanted.filter(isContributionRef), ...quoted], { readable: true });
      return wanted.map((ref) =>
        isContributionRef(ref)
          ? footnote(sources.get(citationKey(ref)) ?? unavailable(ref, 'missing'), cited.get(citationKey(ref)))
          : clipFootnote(ref.id, clips.get(ref.id) ?? { id: ref.id, readable: false }, sources),
      );
    },

    /**
     * What an editor of a note may cite: visible posts of the note's question (or of the whole
     * consultation) and the published case studies informing it (restricted ones for reviewers).
     * With `query`: those the search finds (app/search/search.server.ts: words with or without
     * accents, singular or plural, "phrases", -exclusions; the last word as typed is a prefix), best
     * first; or the one a marker such as "C-17" names. Without: the newest.
     */
    async candidates(userId: string, note: { consultationId: number; questionId: number | null }, query = '', limit = 20): Promise<Source[]> {
      const [viewer, { slug }] = await Promise.all([
        viewerIn(db, userId, note.consultationId),
        db.selectFrom('consultations').select('slug').where('id', '=', note.consultationId).executeTakeFirstOrThrow(),
      ]);
      const q = query.trim();
      const marker = /^(cs|c)-?(\d{1,9})$/i.exec(q.replace(/[[\]\s]/g, ''));

      let posts = selectPostSources(db).where(sourcePosts(viewer));
      if (note.questionId !== null) posts = posts.where('threads.questionId', '=', note.questionId);
      let caseStudies = selectCaseStudySources(db).where(sourceCaseStudies(viewer));
      if (note.questionId !== null) caseStudies = caseStudies.where(caseStudiesInforming(note.questionId));
      let order: string[] | null = null;
      if (marker) {
        const id = Number(marker[2]);
        const isCaseStudy = marker[1]!.toLowerCase() === 'cs';
        posts = posts.where('posts.id', '=', isCaseStudy ? -1 : id);
        caseStudies = caseStudies.where('caseStudies.id', '=', isCaseStudy ? id : -1);
      } else if (q) {
        const { found } = await search.find(
          { userId, consultationId: note.consultationId },
          { q, filters: {}, page: 1 },
          { kinds: ['post', 'case_study'], questionId: note.questionId, sourcesOnly: true, pageSize: limit, asYouType: true },
        );
        if (found.length === 0) return [];
        order = found.map((f) => `${f.kind}:${f.id}`);
        const of = (kind: string) => [-1, ...found.filter((f) => f.kind === kind).map((f) => f.id)];
        posts = posts.where('posts.id', 'in', of('post'));
        caseStudies = caseStudies.where('caseStudies.id', 'in', of('case_study'));
      }
      const [postList, caseStudyList] = await Promise.all([
        posts.orderBy('posts.createdAt', 'desc').orderBy('posts.id', 'desc').limit(limit).execute(),
        caseStudies.orderBy('caseStudies.publishedAt', 'desc').orderBy('caseStudies.id', 'desc').limit(limit).execute(),
      ]);
      const subQuestionIds = await subQuestionsOf(db, caseStudyList.map((row) => row.id));
      const sources = [
        ...caseStudyList.map((row) => footnote(caseStudySource(row, viewer, slug, subQuestionIds.get(row.id) ?? []))),
        ...postList.map((row) => footnote(postSource(row, viewer, slug))),
      ];
      if (!order) return sources;
      const rank = new Map(order.map((key, i) => [key, i]));
      return sources.sort((a, b) => (rank.get(`${a.kind}:${a.id}`) ?? 0) - (rank.get(`${b.kind}:${b.id}`) ?? 0));
    },
  };
}

export type CitationService = ReturnType<typeof createCitationService>;
