/**
 * Demo synthesis notes: the consultation's note, question 4's note (drafting, with a first
 * outline and a named version), the civil-society note on question 2 (scoped to that group),
 * and question 1's note locked for review. Questions 4 and 2 cite demo contributions and case
 * studies (shown as footnotes that honour each one's attribution). Written through the domain
 * services and the live
 * document (headless Lexical), as the editor would. Re-running adds nothing twice: a note is
 * found again by its scope, and its content is only written while it still holds the seed.
 */
import type { Kysely } from 'kysely';
import { createNoteDocs } from '../../app/notes/note-docs.server';
import { createNoteStore } from '../../app/notes/note-store.server';
import { createNoteService } from '../../app/notes/notes.server';
import type { Database } from '../schema';

const MODERATOR = 'moderator@demo.palabre.org';
const RAPPORTEUR = 'rapporteur@demo.palabre.org';

/** A citation of a demo post (by its key in demo-posts.ts) or case study (by its title). */
type Cite = { post: string } | { caseStudy: string };
type Inline = string | { text: string; bold?: boolean } | Cite;
type Resolved = string | { text: string; bold?: boolean } | { kind: 'post' | 'case_study'; id: number };

const text = (t: Resolved) =>
  typeof t === 'object' && 'kind' in t
    ? { type: 'citation', text: `[${t.kind === 'post' ? 'C' : 'CS'}-${t.id}]`, kind: t.kind, targetId: t.id, format: 0, detail: 0, mode: 'token', style: '', version: 1 }
    : plain(t);
const plain = (t: string | { text: string; bold?: boolean }) => ({
  type: 'text',
  text: typeof t === 'string' ? t : t.text,
  format: typeof t === 'string' || !t.bold ? 0 : 1,
  detail: 0,
  mode: 'normal',
  style: '',
  version: 1,
});
const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
/** Demo content is written with citations by key; `resolve` turns them into ids once seeded. */
type Resolve = (cite: Cite) => Resolved;
type Block = (resolve: Resolve) => object;
const inline = (parts: Inline[], resolve: Resolve) => parts.map((p) => text(typeof p === 'object' && !('text' in p) ? resolve(p) : p));
const heading = (tag: 'h2' | 'h3', t: string): Block => () => ({ ...element, type: 'heading', tag, children: [plain(t)] });
const paragraph = (...parts: Inline[]): Block => (resolve) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children: inline(parts, resolve) });
const bullets = (...items: (Inline | Inline[])[]): Block => (resolve) => ({
  ...element,
  type: 'list',
  listType: 'bullet',
  start: 1,
  tag: 'ul',
  children: items.map((t, i) => ({ ...element, type: 'listitem', value: i + 1, children: inline(Array.isArray(t) ? t : [t], resolve) })),
});
/** A numbered list (the sign-off demo's recommendations). */
const numbers = (...items: (Inline | Inline[])[]): Block => (resolve) => ({
  ...element,
  type: 'list',
  listType: 'number',
  start: 1,
  tag: 'ol',
  children: items.map((t, i) => ({ ...element, type: 'listitem', value: i + 1, children: inline(Array.isArray(t) ? t : [t], resolve) })),
});
const documentOf = (...blocks: Block[]) => (resolve: Resolve) => JSON.stringify({ root: { ...element, type: 'root', children: blocks.map((b) => b(resolve)) } });

interface DemoNote {
  question: string | null;
  group: string | null;
  title: string;
  content?: (resolve: Resolve) => string;
  version?: string;
  lock?: boolean;
  /** Locked, then signed off by the rapporteur: a final note, whose exports carry its version and SHA-256. */
  finalise?: boolean;
}

const NOTES: DemoNote[] = [
  {
    question: null,
    group: null,
    title: 'Synthesis of the consultation on partnerships',
    content: documentOf(
      heading('h2', 'Synthesis of the consultation on partnerships'),
      paragraph('This note gathers the key messages of the five questions for the Summit. Each section is drafted in the question’s own note first.'),
    ),
  },
  {
    question: '4',
    group: null,
    title: 'Question 4: synthesis',
    content: documentOf(
      heading('h2', 'Question 4: synthesis'),
      heading('h3', 'What participants said'),
      bullets(
        'Local governments asked to be at the table from the design of a partnership, not only for its implementation.',
        'Several contributions stressed predictable, multi-year funding over project cycles.',
        ['Civil society organisations described information points as the most trusted channel for migrants ', { caseStudy: 'Des points d’information sur la migration dans les quartiers de Dakar' }, '.'],
      ),
      heading('h3', 'Open points'),
      paragraph(
        { text: 'To be agreed: ', bold: true },
        'how to measure the results of partnerships led by cities. Current indicators count departures more than the return of skills ',
        { post: 'p7' },
        '.',
      ),
    ),
    version: 'First outline',
  },
  {
    question: '2',
    group: 'civil-society',
    title: 'Question 2: civil society input',
    content: documentOf(
      heading('h2', 'Question 2: civil society input'),
      paragraph('Drafted by civil society participants, as the GFMD’s mechanisms each draft their own input.'),
      heading('h3', 'Levels that work together'),
      paragraph(
        'Partnerships held when the municipality was at the table from the start ',
        { post: 'p1' },
        ', while regional frameworks give countries of origin leverage ',
        { post: 'p3' },
        '. Employers add that skills are recognised regionally but applied by local offices ',
        { post: 'p4' },
        ', as the household workers’ model contract shows ',
        { caseStudy: 'One model employment contract for household workers, adopted corridor by corridor' },
        '.',
      ),
    ),
  },
  { question: '1', group: null, title: 'Question 1: synthesis', lock: true },
  {
    question: '3',
    group: null,
    title: 'Question 3: synthesis',
    content: documentOf(
      heading('h2', 'Question 3: synthesis'),
      paragraph(
        'Partnerships deliver for development when skills travel both ways: training recognised in the country of destination, and returning workers whose experience counts at home ',
        { post: 'p8' },
        '.',
      ),
      heading('h3', 'Recommendations to the Forum'),
      numbers('Recognise skills across borders before departure.', 'Count the return of skills, not only departures.', 'Give local governments a seat in every partnership that touches their territory.'),
    ),
    finalise: true,
  },
];

export async function seedDemoNotes(db: Kysely<Database>, consultationId: number): Promise<{ notes: number; created: number }> {
  // The seed runs outside the web server: the notes' own domain services, flushed before it
  // returns; no socket listens, so a status change has no one to tell.
  const noteDocs = createNoteDocs(createNoteStore(db));
  const services = { noteDocs, notes: createNoteService(db, noteDocs, { publishStatus: () => {} }) };
  const userId = async (email: string) => (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const moderator = await userId(MODERATOR);
  const rapporteur = await userId(RAPPORTEUR);
  let created = 0;
  try {
    for (const note of NOTES) {
      const questionId = note.question
        ? (await db.selectFrom('questions').select('id').where('consultationId', '=', consultationId).where('number', '=', note.question).executeTakeFirstOrThrow()).id
        : null;
      let existing = db.selectFrom('notes').select(['id', 'status']).where('consultationId', '=', consultationId);
      existing = questionId === null ? existing.where('questionId', 'is', null) : existing.where('questionId', '=', questionId);
      existing = note.group === null ? existing.where('stakeholderGroup', 'is', null) : existing.where('stakeholderGroup', '=', note.group);
      if (await existing.executeTakeFirst()) continue;

      const id = await services.notes.open(moderator, consultationId, { questionId, stakeholderGroup: note.group, title: note.title });
      created++;
      if (note.content) await services.noteDocs.replace(id, note.content(await resolver(db, consultationId)));
      if (note.version) await services.notes.saveVersion(rapporteur, id, note.version);
      if (note.lock || note.finalise) await services.notes.setStatus(moderator, id, 'lock');
      if (note.finalise) await services.notes.setStatus(rapporteur, id, 'finalise');
    }
  } finally {
    await services.noteDocs.close();
  }
  return { notes: NOTES.length, created };
}

/** Citations by demo key → ids; a demo item that is missing becomes plain text (nothing breaks). */
async function resolver(db: Kysely<Database>, consultationId: number): Promise<Resolve> {
  const posts = new Map(
    (await db.selectFrom('posts').select(['id', 'clientId']).where('clientId', 'like', 'demo-%-seed').execute()).map((p) => [p.clientId, p.id]),
  );
  const studies = new Map(
    (await db.selectFrom('caseStudies').select(['id', 'title']).where('consultationId', '=', consultationId).execute()).map((c) => [c.title, c.id]),
  );
  return (cite) => {
    const id = 'post' in cite ? posts.get(`demo-${cite.post}-seed`) : studies.get(cite.caseStudy);
    if (id === undefined) return '';
    return { kind: 'post' in cite ? 'post' : 'case_study', id };
  };
}
