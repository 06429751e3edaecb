/**
 * Demo compilations of questions 1 and 2, made by the demo moderator through the compilation
 * service (app/compilation), as a moderator would make them: key points clipping the demo
 * contributions and case studies with each stance, two points that said the same thing merged,
 * and one clip gone stale because its post was edited afterwards (question 1). The coverage table
 * of either question shows the groups that have not spoken (no demo account speaks for them).
 * Fixed client ids make re-runs add nothing.
 */
import type { Kysely } from 'kysely';
import { createCompilationService } from '../../app/compilation/compilation.server';
import { createPostService } from '../../app/posts/posts.server';
import type { Database, Stance } from '../schema';

const MODERATOR = 'moderator@demo.palabre.org';

/** A passage of a demo post (by its demo key) or of a case study's summary (by its title's start). */
type DemoSource = { post: string } | { caseStudy: string };

interface DemoClip {
  key: string;
  source: DemoSource;
  /** The exact words clipped; found in the source's plain text. */
  quote: string;
  stance: Stance;
}

interface DemoKeyPoint {
  key: string;
  question: string;
  heading: string;
  summary: string;
  clips: DemoClip[];
  /** Merged into this key point (by its key) once made: the history shows the merge. */
  mergeInto?: string;
}

const KEY_POINTS: DemoKeyPoint[] = [
  {
    key: 'q2-local',
    question: '2',
    heading: 'Partnerships hold when local actors are at the table from the start',
    summary:
      'Contributors from civil society and local government describe partnerships that lasted because the municipality, which knows the neighbourhoods people leave from or arrive in, took part from the design onwards.',
    clips: [
      { key: 'c1', source: { post: 'p1' }, quote: 'les partenariats qui ont tenu sont ceux où la commune était autour de la table dès le départ', stance: 'supports' },
      { key: 'c2', source: { post: 'p2' }, quote: 'le guichet municipal d’accueil a fait plus pour l’intégration des nouveaux arrivants que trois programmes fédéraux réunis', stance: 'supports' },
      { key: 'c3', source: { post: 'p3' }, quote: 'regional frameworks matter too', stance: 'qualifies' },
    ],
  },
  {
    key: 'q2-regional',
    question: '2',
    heading: 'Regional frameworks give leverage that global commitments do not',
    summary:
      'Governments and business see regional alignment of standards (labour agreements, skills recognition) as what makes bilateral partnerships work; civil society points out that agreements nobody carries locally stay on paper.',
    clips: [
      { key: 'c4', source: { post: 'p3' }, quote: 'Global commitments such as the GCM give us the language; regional ones give us leverage.', stance: 'supports' },
      { key: 'c5', source: { post: 'p4' }, quote: 'recognition of skills is negotiated regionally, but it is applied — or not — by local offices', stance: 'qualifies' },
      { key: 'c6', source: { post: 'p1' }, quote: 'Les accords signés au niveau national restaient lettre morte tant que personne ne les portait localement.', stance: 'disagrees' },
    ],
  },
  {
    key: 'q2-municipal-duplicate',
    question: '2',
    heading: 'Municipal information points reach people national programmes miss',
    summary: 'Said again by a case study from Dakar: merged into the first key point, whose sources it shares.',
    clips: [{ key: 'c7', source: { caseStudy: 'Des points d’information' }, quote: '', stance: 'supports' }],
    mergeInto: 'q2-local',
  },
  {
    key: 'q1-employers',
    question: '1',
    heading: 'Employers join skills partnerships too late',
    summary: 'Training was designed before employers took part, so it did not match real vacancies; a nurses’ partnership steered with employers from the start shows the other way.',
    clips: [
      // The post is edited below, after this clip: the key point shows that its words changed.
      { key: 'c8', source: { post: 'p5' }, quote: 'Employers joined late, after the curriculum was already fixed.', stance: 'supports' },
      { key: 'c9', source: { caseStudy: 'Training nurses for two labour markets' }, quote: '', stance: 'qualifies' },
    ],
  },
];

/** Post p5 as its author edits it after the moderator clipped it: the clipped sentence changes. */
const P5_EDITED =
  'The main challenge we met in building a skills partnership was aligning training with real vacancies. Employers only came in during the second year, once the curriculum had been fixed without them.';

export async function seedDemoCompilation(db: Kysely<Database>, consultationId: number): Promise<{ keyPoints: number; clips: number; merged: number; stale: number }> {
  const moderator = await db.selectFrom('users').select('id').where('email', '=', MODERATOR).executeTakeFirst();
  if (!moderator) return { keyPoints: 0, clips: 0, merged: 0, stale: 0 };
  const compilation = createCompilationService(db);
  const posts = new Map(
    (
      await db
        .selectFrom('posts')
        .innerJoin('threads', 'threads.id', 'posts.threadId')
        .select(['posts.id', 'posts.clientId', 'posts.authorId', 'posts.bodyText'])
        .where('threads.consultationId', '=', consultationId)
        .where('posts.clientId', 'like', 'demo-%-seed')
        .execute()
    ).map((p) => [p.clientId.replace(/^demo-(.*)-seed$/, '$1'), p]),
  );
  const studies = await db.selectFrom('caseStudies').select(['id', 'title', 'summary']).where('consultationId', '=', consultationId).execute();
  const questions = new Map(
    (await db.selectFrom('questions').select(['id', 'number']).where('consultationId', '=', consultationId).execute()).map((q) => [q.number, q.id]),
  );

  const made = new Map<string, number>();
  let clips = 0;
  for (const point of KEY_POINTS) {
    const questionId = questions.get(point.question);
    if (!questionId) continue;
    // The demo moderator writes the key points in English (the sources are in all three languages).
    const keyPointId = await compilation.createKeyPoint(moderator.id, questionId, { heading: point.heading, summary: point.summary, language: 'en', clientId: `demo-${point.key}` });
    made.set(point.key, keyPointId);
    for (const clip of point.clips) {
      const clientId = `demo-${clip.key}`;
      if ('post' in clip.source) {
        const post = posts.get(clip.source.post);
        if (!post) continue;
        const start = post.bodyText.indexOf(clip.quote);
        // Already clipped on an earlier run (the retry answers it) or the post changed since: a
        // retry needs the same words, so only a first run, or the same text, clips.
        if (start < 0) continue;
        await compilation.clip(moderator.id, { keyPointId, sourceKind: 'post', sourceId: post.id, field: 'body', start, end: start + clip.quote.length, quote: clip.quote, stance: clip.stance, clientId });
      } else {
        const title = clip.source.caseStudy;
        const study = studies.find((s) => s.title.startsWith(title));
        if (!study) continue;
        await compilation.clipWhole(moderator.id, { keyPointId, sourceKind: 'case_study', sourceId: study.id, field: 'summary', stance: clip.stance, clientId });
      }
      clips += 1;
    }
  }

  let merged = 0;
  for (const point of KEY_POINTS) {
    const mergedId = made.get(point.key);
    const survivorId = point.mergeInto ? made.get(point.mergeInto) : undefined;
    if (!mergedId || !survivorId) continue;
    const row = await db.selectFrom('keyPoints').select('mergedIntoId').where('id', '=', mergedId).executeTakeFirstOrThrow();
    if (row.mergedIntoId === null) await compilation.merge(moderator.id, { survivorId, mergedId });
    merged += 1;
  }

  // The stale clip: its post edited by its author after it was clipped (once).
  let stale = 0;
  const p5 = posts.get('p5');
  if (p5 && made.has('q1-employers')) {
    if (p5.bodyText !== P5_EDITED) {
      const service = createPostService(db, { publish: () => {}, postsPerMinute: 1_000 });
      await service.edit(p5.authorId, { postId: p5.id, text: P5_EDITED });
    }
    stale = 1;
  }
  return { keyPoints: made.size, clips, merged, stale };
}
