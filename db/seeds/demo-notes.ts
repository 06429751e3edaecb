/**
 * Demo synthesis notes: the consultation's note, question 4's note (drafting, with a first
 * outline and a named version), the civil-society note on question 2 (scoped to that group),
 * and question 1's note locked for review. Written through the domain services and the live
 * document (headless Lexical), as the editor would. Re-running adds nothing twice: a note is
 * found again by its scope, and its content is only written while it still holds the seed.
 */
import type { Kysely } from 'kysely';
import { createServices } from '../../server/services';
import type { Database } from '../schema';

const MODERATOR = 'moderator@demo.palabre.org';
const RAPPORTEUR = 'rapporteur@demo.palabre.org';

type Inline = string | { text: string; bold?: boolean };
const text = (t: Inline) => ({
  type: 'text',
  text: typeof t === 'string' ? t : t.text,
  format: typeof t === 'string' || !t.bold ? 0 : 1,
  detail: 0,
  mode: 'normal',
  style: '',
  version: 1,
});
const element = { direction: 'ltr', format: '', indent: 0, version: 1 };
const heading = (tag: 'h2' | 'h3', t: string) => ({ ...element, type: 'heading', tag, children: [text(t)] });
const paragraph = (...parts: Inline[]) => ({ ...element, type: 'paragraph', textFormat: 0, textStyle: '', children: parts.map(text) });
const bullets = (...items: string[]) => ({
  ...element,
  type: 'list',
  listType: 'bullet',
  start: 1,
  tag: 'ul',
  children: items.map((t, i) => ({ ...element, type: 'listitem', value: i + 1, children: [text(t)] })),
});
const documentOf = (...children: object[]) => JSON.stringify({ root: { ...element, type: 'root', children } });

interface DemoNote {
  question: string | null;
  group: string | null;
  title: string;
  content?: string;
  version?: string;
  lock?: boolean;
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
        'Civil society organisations described information points as the most trusted channel for migrants.',
      ),
      heading('h3', 'Open points'),
      paragraph({ text: 'To be agreed: ', bold: true }, 'how to measure the results of partnerships led by cities.'),
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
    ),
  },
  { question: '1', group: null, title: 'Question 1: synthesis', lock: true },
];

export async function seedDemoNotes(db: Kysely<Database>, consultationId: number): Promise<{ notes: number; created: number }> {
  // The seed runs outside the web server: its own services, flushed before it returns.
  const services = createServices(db, { secureCookies: false, signInAttemptsPerAddress: 1, registrationsPerAddress: 1, postsPerMinute: 1 });
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
      if (note.content) await services.noteDocs.replace(id, note.content);
      if (note.version) await services.notes.saveVersion(rapporteur, id, note.version);
      if (note.lock) await services.notes.setStatus(moderator, id, 'lock');
    }
  } finally {
    await services.noteDocs.close();
  }
  return { notes: NOTES.length, created };
}
