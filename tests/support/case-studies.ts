/**
 * A complete case study on sub-question 2.4 of the default consultation, submitted by its author
 * and brought by a moderator through `steps` (published by default): the fixture the HTTP tests
 * of citations and backlinks share.
 */
import type { TestServer } from './server';

export type ReviewStep = 'review' | 'verify' | 'publish';

export async function reviewedCaseStudy(
  app: TestServer,
  people: { authorId: string; moderatorId: string },
  title: string,
  options: { visibility?: 'public' | 'restricted'; steps?: readonly ReviewStep[] } = {},
): Promise<number> {
  const { services, database } = app.server;
  const consultationId = (await services.consultations.getDefault())!.id;
  const sub = await database.db.selectFrom('subQuestions').select('id').where('number', '=', '2.4').executeTakeFirstOrThrow();
  const id = await services.caseStudies.save(
    people.authorId,
    consultationId,
    {
      title,
      summary: 'A municipal desk and professional bodies at one table.',
      text: 'Newcomers bring their diplomas to one desk.',
      partners: [{ name: 'City hall', group: 'local-government' }],
      origin: ['SN'],
      destination: ['CA'],
      implementation: ['CA'],
      level: 'local',
      themes: ['skills'],
      sdgTargets: ['10.7'],
      stage: 'implementing',
      funding: [{ source: 'City budget', amount: '10000', currency: 'CAD' }],
      results: '200 diplomas recognised.',
      indicators: 'Recognitions',
      worked: 'One desk.',
      didNotWork: 'Waiting times.',
      subQuestions: [String(sub.id)],
      contact: 'desk@example.org',
      attribution: 'named',
      visibility: options.visibility ?? 'public',
      language: 'en',
    },
    { submit: true },
  );
  for (const action of options.steps ?? ['review', 'verify', 'publish']) await services.caseStudies.transition(people.moderatorId, id, action);
  return id;
}
