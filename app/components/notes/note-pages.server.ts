/**
 * What the synthesis-notes pages (app/routes/c.$slug.notes*) share on the server: the note from
 * the URL (404 when it is not this consultation's), the reader's role, scope labels.
 */
import type { AppLoadContext } from '@remix-run/node';
import type { Consultation } from '../../consultations/consultations.server';
import { consultationTitle, groupLabels } from '../../consultations/localize';
import { isDomainError } from '../../utils/errors';
import { idOf, notFound, requireConsultation } from '../../utils/http.server';

/** The consultation's title and its stakeholder groups' labels, in the reader's language. */
export function consultationLabels(context: AppLoadContext, consultation: Consultation) {
  return { consultationTitle: consultationTitle(consultation, context.language), groups: groupLabels(consultation, context.language) };
}

/** The consultation and the note of the URL, as the signed-in user may see it; 404 otherwise. */
export async function loadNote(context: AppLoadContext, params: { slug?: string; id?: string }, userId: string) {
  const consultation = await requireConsultation(context, params.slug);
  const id = idOf(params.id);
  const note = await context.services.notes.get(id, userId).catch((error: unknown) => {
    if (isDomainError(error) && error.code === 'not_found') notFound();
    throw error;
  });
  if (note.consultationId !== consultation.id) notFound();
  return { consultation, note };
}
