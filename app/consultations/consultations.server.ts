/**
 * Reading a consultation: its landing content, questions, sub-questions and threads.
 * Rows keep their texts in every language; localize.ts picks one for the reader.
 */
import type { Kysely } from 'kysely';
import type { ConsultationRow, Database, Phase } from '../../db/schema';
import type { KeyFigure, Labelled, Language, LocalizedText } from './content.schema';

export interface Consultation {
  id: number;
  slug: string;
  phase: Phase;
  sourceLanguage: Language;
  languages: Language[];
  title: LocalizedText;
  /** The forum's name by language (the source language's at least, when there is one). */
  forum: Partial<LocalizedText>;
  background: Partial<Record<Language, string[]>>;
  themes: Labelled[];
  stakeholderGroups: Labelled[];
  sdgTargets: Labelled[];
  keyFigures: KeyFigure[];
  closesAt: string | null;
}

export interface SubQuestion {
  id: number;
  number: string;
  text: LocalizedText;
}

export interface Question {
  id: number;
  number: string;
  text: LocalizedText;
  intro: Partial<LocalizedText>;
  subQuestions: SubQuestion[];
}

export interface Thread {
  id: number;
  number: string;
  question: Question;
  /** null for the question's general thread */
  subQuestion: SubQuestion | null;
}

/**
 * The shapes of the stable slugs: a consultation's (content.schema.ts), question "2", thread "2.4"
 * or "2". A URL may carry anything
 * (a NUL, which PostgreSQL refuses in text, answered 500): what does not fit is answered "no such
 * question" without asking the database.
 */
const QUESTION_NUMBER = /^\d{1,4}$/;
const SLUG = /^[a-z0-9-]{1,200}$/;
const THREAD_NUMBER = /^\d{1,4}(\.\d{1,4})?$/;

export function createConsultationService(db: Kysely<Database>) {
  async function questionsOf(consultationId: number, number?: string): Promise<Question[]> {
    let q = db
      .selectFrom('questions')
      .select(['id', 'number', 'text', 'intro'])
      .where('consultationId', '=', consultationId)
      .orderBy('position');
    if (number !== undefined) q = q.where('number', '=', number);
    const questions = await q.execute();
    if (questions.length === 0) return [];
    const subs = await db
      .selectFrom('subQuestions')
      .select(['id', 'questionId', 'number', 'text'])
      .where(
        'questionId',
        'in',
        questions.map((x) => x.id),
      )
      .orderBy('questionId')
      .orderBy('position')
      .execute();
    return questions.map((x) => ({
      id: x.id,
      number: x.number,
      text: JSON.parse(x.text),
      intro: JSON.parse(x.intro),
      subQuestions: subs
        .filter((s) => s.questionId === x.id)
        .map((s) => ({ id: s.id, number: s.number, text: JSON.parse(s.text) })),
    }));
  }

  return {
    /** The consultation shown at `/`: the newest one that is not a draft. */
    async getDefault(): Promise<Consultation | null> {
      const row = await db
        .selectFrom('consultations')
        .selectAll()
        .where('phase', '!=', 'draft')
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row ? toConsultation(row) : null;
    },

    async getBySlug(slug: string): Promise<Consultation | null> {
      if (!SLUG.test(slug)) return null; // content.schema.ts's shape: anything else is no consultation
      const row = await db.selectFrom('consultations').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row ? toConsultation(row) : null;
    },

    listQuestions: (consultationId: number) => questionsOf(consultationId),

    /** A question by its number ("2"); anything that is not a number is no question (never a query). */
    async getQuestion(consultationId: number, number: string): Promise<Question | null> {
      if (!QUESTION_NUMBER.test(number)) return null;
      const [question] = await questionsOf(consultationId, number);
      return question ?? null;
    },

    /** The consultation a thread belongs to, and its phase. */
    async threadContext(threadId: number) {
      return db
        .selectFrom('threads')
        .innerJoin('consultations', 'consultations.id', 'threads.consultationId')
        .select(['threads.id', 'threads.consultationId', 'consultations.phase', 'consultations.sourceLanguage'])
        .where('threads.id', '=', threadId)
        .executeTakeFirst();
    },

    /** A thread by its number: "2.4" for a sub-question, "2" for question 2's general thread. */
    async getThread(consultationId: number, number: string): Promise<Thread | null> {
      if (!THREAD_NUMBER.test(number)) return null;
      const row = await db
        .selectFrom('threads')
        .innerJoin('questions', 'questions.id', 'threads.questionId')
        .select(['threads.id', 'threads.number', 'threads.subQuestionId', 'questions.number as questionNumber'])
        .where('threads.consultationId', '=', consultationId)
        .where('threads.number', '=', number)
        .executeTakeFirst();
      if (!row) return null;
      const question = await this.getQuestion(consultationId, row.questionNumber);
      if (!question) return null;
      const subQuestion = question.subQuestions.find((s) => s.id === row.subQuestionId) ?? null;
      return { id: row.id, number: row.number, question, subQuestion };
    },
  };
}

function toConsultation(row: ConsultationRow): Consultation {
  return {
    id: row.id,
    slug: row.slug,
    phase: row.phase,
    sourceLanguage: row.sourceLanguage as Language,
    languages: JSON.parse(row.languages),
    title: JSON.parse(row.title),
    forum: forumOf(row.forum, row.sourceLanguage as Language),
    background: JSON.parse(row.background),
    themes: JSON.parse(row.themes),
    stakeholderGroups: JSON.parse(row.stakeholderGroups),
    sdgTargets: JSON.parse(row.sdgTargets),
    keyFigures: JSON.parse(row.keyFigures),
    closesAt: row.closesAt,
  };
}

/** The stored forum name: its languages as JSON, or (stored before it was translated) the source's text. */
function forumOf(stored: string, source: Language): Partial<LocalizedText> {
  if (stored.startsWith('{')) return JSON.parse(stored) as Partial<LocalizedText>;
  return stored ? { [source]: stored } : {};
}

export type ConsultationService = ReturnType<typeof createConsultationService>;
