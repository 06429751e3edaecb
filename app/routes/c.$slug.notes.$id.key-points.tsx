/**
 * The key points an editor may insert into a note, as JSON for the live editor's "Insert a key
 * point" dialog (a resource route: no page). `?q=words` narrows them. Editors of the note only,
 * and only while the compilation is open to them (role and phase: app/compilation/access.ts);
 * each clip comes as the footnote its citation will show (app/notes/note-key-points.server.ts).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { loadNote } from '../components/notes/note-pages.server';
import { isDomainError } from '../utils/errors';
import { searchRefusal } from '../search/search-limit.server';
import { noteKeyPointsQuerySchema } from '../validation.server';

const answer = (body: object, status = 200) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const user = context.user;
  if (!user) return answer({ error: 'errors.unauthenticated' }, 401);
  const { note } = await loadNote(context, params, user.id);
  if (!note.canEdit) return answer({ error: 'errors.forbidden' }, 403);
  const parsed = noteKeyPointsQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return answer({ error: parsed.error.issues[0]?.message ?? 'errors.choice' }, 400);
  const refused = parsed.data.q?.trim() ? await searchRefusal(context, 'typing') : null;
  if (refused) return refused;
  try {
    return answer({ keyPoints: await context.services.noteKeyPoints.list(user.id, note, parsed.data.q) });
  } catch (error) {
    if (isDomainError(error) && error.code === 'forbidden') return answer({ error: error.messageKey }, 403);
    throw error;
  }
}
