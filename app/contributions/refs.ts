/**
 * How a contribution is referred to, wherever it is cited or clipped (docs/decisions/0014): its
 * kind and id, a stable key (`post:17`, `case_study:4`: map keys, the sources route's `refs`
 * parameter) and a short, attribution-free marker (C-17, CS-4). Domain vocabulary: notes, the
 * compilation and the editor import it from here. Isomorphic.
 */

export const CITATION_KINDS = ['post', 'case_study'] as const;
export type CitationKind = (typeof CITATION_KINDS)[number];

export interface CitationRef {
  kind: CitationKind;
  id: number;
}

export const isCitationKind = (value: unknown): value is CitationKind => CITATION_KINDS.includes(value as CitationKind);

/** The short, attribution-free marker of a contribution: C-17 (a post), CS-4 (a case study). */
export const citationMarker = (kind: CitationKind, id: number) => `${kind === 'post' ? 'C' : 'CS'}-${id}`;

/** The id of a citation's footnote under the note: `source-post-17`. */
export const citationAnchor = (ref: CitationRef) => `source-${ref.kind}-${ref.id}`;

/** `post:17` and back: the sources route's `refs` parameter uses it. Ids fit PostgreSQL's `integer`. */
export const citationKey = (ref: CitationRef) => `${ref.kind}:${ref.id}`;
export function parseCitationKey(key: string): CitationRef | null {
  const match = /^(post|case_study):([1-9]\d{0,8})$/.exec(key);
  return match ? { kind: match[1] as CitationKind, id: Number(match[2]) } : null;
}
