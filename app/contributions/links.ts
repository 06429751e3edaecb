/**
 * Where a contribution lives: the links pages, notices, the audit log, citations and the
 * compilation point to (domain: services build hrefs with them, components import them from
 * here). Isomorphic helpers.
 * A question's general thread has the question's number and lives at `/q/:question/general`.
 */
export function threadHref(slug: string, question: string, thread: string): string {
  const segment = thread === question ? 'general' : thread;
  return `/c/${slug}/q/${encodeURIComponent(question)}/${encodeURIComponent(segment)}`;
}

export function postHref(slug: string, question: string, thread: string, postId: number | string): string {
  return `${threadHref(slug, question, thread)}#post-${postId}`;
}

/**
 * A post on the page of its thread that holds it, oldest first (`?at=`: a thread of more than one
 * page opens where the post is), at the post.
 */
export function postOnItsPageHref(slug: string, question: string, thread: string, postId: number): string {
  return `${threadHref(slug, question, thread)}?${new URLSearchParams({ sort: 'oldest', at: String(postId) })}#post-${postId}`;
}

/** From a thread number alone ("2.4" → question "2"; "2" is question 2's general thread). */
export function postHrefFromThread(slug: string, thread: string, postId: number | string): string {
  return postHref(slug, thread.split('.')[0] ?? thread, thread, postId);
}

export function caseStudyHref(slug: string, id: number | string): string {
  return `/c/${slug}/case-studies/${id}`;
}
