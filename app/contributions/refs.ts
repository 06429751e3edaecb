/**
 * How a contribution is referred to, wherever it is cited or clipped (docs/decisions/0014): its
 * kind and id, a stable key (`post:17`, `case_study:4`: map keys, the sources route's `refs`
 * parameter) and a short, attribution-free marker (C-17, CS-4). Domain vocabulary: notes, the
 * compilation and the editor import it from here. Isomorphic.
 *
 * A note may also cite a clip of the compilation (issue 12, docs/decisions/0009): kind `clip`,
 * the clip's id, key `clip:12`, marker CL-12. `CitationKind` / `CitationRef` are the
 * contributions (what sources are); `NoteCitationKind` / `NoteCitationRef` what a note's
 * citation node may point at.
 */

export const CITATION_KINDS = ['post', 'case_study'] as const;
export type CitationKind = (typeof CITATION_KINDS)[number];

export interface CitationRef {
  kind: CitationKind;
  id: number;
}

/** What a note's citation may point at: a contribution, or a clip quoting one (its footnote quotes the clipped words). */
export const NOTE_CITATION_KINDS = [...CITATION_KINDS, 'clip'] as const;
export type NoteCitationKind = (typeof NOTE_CITATION_KINDS)[number];

export interface NoteCitationRef {
  kind: NoteCitationKind;
  id: number;
}

export const isCitationKind = (value: unknown): value is CitationKind => CITATION_KINDS.includes(value as CitationKind);
export const isNoteCitationKind = (value: unknown): value is NoteCitationKind => NOTE_CITATION_KINDS.includes(value as NoteCitationKind);
/** A note citation that points at a contribution (not at a clip). */
export const isContributionRef = (ref: NoteCitationRef): ref is CitationRef => isCitationKind(ref.kind);

const MARKER_PREFIX: Record<NoteCitationKind, string> = { post: 'C', case_study: 'CS', clip: 'CL' };

/** The short, attribution-free marker: C-17 (a post), CS-4 (a case study), CL-12 (a clip of the compilation). */
export const citationMarker = (kind: NoteCitationKind, id: number) => `${MARKER_PREFIX[kind]}-${id}`;

/** The id of a citation's footnote under the note: `source-post-17`, `source-clip-12`. */
export const citationAnchor = (ref: NoteCitationRef) => `source-${ref.kind}-${ref.id}`;

/** `post:17` and back: the sources route's `refs` parameter uses it. Ids fit PostgreSQL's `integer`. */
export const citationKey = (ref: NoteCitationRef) => `${ref.kind}:${ref.id}`;
export function parseCitationKey(key: string): NoteCitationRef | null {
  const match = /^(post|case_study|clip):([1-9]\d{0,8})$/.exec(key);
  return match ? { kind: match[1] as NoteCitationKind, id: Number(match[2]) } : null;
}
