/**
 * Where a question's compilation and its key points live (isomorphic): the page
 * (app/routes/c.$slug.q.$question.compilation.tsx) gives each key point the anchor `key-point-<id>`.
 */
export function compilationHref(slug: string, question: string): string {
  return `/c/${slug}/q/${encodeURIComponent(question)}/compilation`;
}

export function keyPointHref(slug: string, question: string, keyPointId: number): string {
  return `${compilationHref(slug, question)}#key-point-${keyPointId}`;
}

/** A synthesis note's page. */
export function noteHref(slug: string, noteId: number): string {
  return `/c/${slug}/notes/${noteId}`;
}
