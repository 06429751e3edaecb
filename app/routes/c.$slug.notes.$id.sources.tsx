/**
 * A note's sources, as JSON for the live editor (a resource route: no page). `?refs=post:17,…`
 * resolves citations to their footnotes, for anyone who may read the note; `?q=words` lists what
 * the caller may cite, for those who may edit it. Both go through the citation service
 * (app/notes/citations.server.ts), which honours each contribution's attribution.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { loadNote } from '../components/notes/note-pages.server';
import { parseCitationKey, type CitationRef } from '../contributions/refs';
import { searchRefusal } from '../search/search-limit.server';
import { noteSourcesQuerySchema } from '../validation.server';

const answer = (body: object, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = context.user;
  if (!user) return answer({ error: 'errors.unauthenticated' }, 401);
  const { consultation, note } = await loadNote(context, params, user.id);
  const parsed = noteSourcesQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return answer({ error: parsed.error.issues[0]?.message ?? 'errors.choice' }, 400);
  const { citations } = context.services;
  if ('refs' in parsed.data) {
    const refs = parsed.data.refs.map(parseCitationKey).filter((ref): ref is CitationRef => ref !== null);
    return answer({ sources: await citations.resolve(user.id, consultation.id, refs, note.id) });
  }
  if (!note.canEdit) return answer({ error: 'errors.forbidden' }, 403);
  const refused = parsed.data.q.trim() ? await searchRefusal(context, 'typing') : null;
  if (refused) return refused;
  return answer({ sources: await citations.candidates(user.id, note, parsed.data.q) });
}
