/**
 * Seeds a consultation from its content file. Idempotent: rows are matched by their stable
 * numbers, missing ones inserted, changed texts updated, and nothing else touched, so a second
 * run changes nothing (and never resets the phase an admin has set).
 */
import fs from 'node:fs';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { consultationContent, type ConsultationContent } from '../../app/consultations/content.schema';
import type { Database } from '../schema';

/** The PostgreSQL advisory lock held while seeding (any constant of Palabre's own). */
const SEED_LOCK_KEY = 0x70616c61; // 'pala'

export const DEFAULT_CONSULTATION_FILE = new URL('./gfmd-2020-partnerships.json', import.meta.url);

export function readConsultationContent(file: URL | string = DEFAULT_CONSULTATION_FILE): ConsultationContent {
  return consultationContent.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

const json = (value: unknown) => JSON.stringify(value);
const pick = ({ fr, en, es }: { fr: string; en?: string; es?: string }) => json({ fr, en, es });

export interface SeedResult {
  consultationId: number;
  inserted: number;
  updated: number;
}

export async function seedConsultation(
  db: Kysely<Database>,
  content: ConsultationContent = readConsultationContent(),
): Promise<SeedResult> {
  return db.transaction().execute(async (trx) => {
    // Several nodes starting at once on PostgreSQL: one seeds, the others wait, then find it done.
    // (SQLite: a transaction already excludes every other writer.)
    if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`.execute(trx);
    const now = new Date().toISOString();
    let inserted = 0;
    let updated = 0;

    const fields = {
      sourceLanguage: content.sourceLanguage,
      languages: json(content.languages),
      title: pick(content.title),
      // Its languages as JSON, like the title; a name given in the source language alone stays a plain text.
      forum: typeof content.forum === 'string' ? content.forum : pick(content.forum),
      background: json({ [content.sourceLanguage]: content.background }),
      themes: json(content.themes),
      stakeholderGroups: json(content.stakeholderGroups),
      sdgTargets: json(content.sdgTargets),
      keyFigures: json(content.keyFigures),
    };
    let consultation = await trx
      .selectFrom('consultations')
      .selectAll()
      .where('slug', '=', content.slug)
      .executeTakeFirst();
    if (!consultation) {
      consultation = await trx
        .insertInto('consultations')
        .values({ slug: content.slug, phase: 'open', ...fields, createdAt: now, updatedAt: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      inserted++;
    } else if (differs(consultation, fields)) {
      await trx
        .updateTable('consultations')
        .set({ ...fields, updatedAt: now })
        .where('id', '=', consultation.id)
        .execute();
      updated++;
    }
    const consultationId = consultation.id;

    for (const [qi, q] of content.questions.entries()) {
      const qFields = { position: qi + 1, text: pick(q), intro: json(q.intro) };
      let question = await trx
        .selectFrom('questions')
        .selectAll()
        .where('consultationId', '=', consultationId)
        .where('number', '=', q.number)
        .executeTakeFirst();
      if (!question) {
        question = await trx
          .insertInto('questions')
          .values({ consultationId, number: q.number, ...qFields })
          .returningAll()
          .executeTakeFirstOrThrow();
        inserted++;
      } else if (differs(question, qFields)) {
        await trx.updateTable('questions').set(qFields).where('id', '=', question.id).execute();
        updated++;
      }
      inserted += await ensureThread(trx, consultationId, question.id, null, q.number, now);

      for (const [si, s] of q.subQuestions.entries()) {
        const sFields = { position: si + 1, text: pick(s) };
        let sub = await trx
          .selectFrom('subQuestions')
          .selectAll()
          .where('questionId', '=', question.id)
          .where('number', '=', s.number)
          .executeTakeFirst();
        if (!sub) {
          sub = await trx
            .insertInto('subQuestions')
            .values({ questionId: question.id, number: s.number, ...sFields })
            .returningAll()
            .executeTakeFirstOrThrow();
          inserted++;
        } else if (differs(sub, sFields)) {
          await trx.updateTable('subQuestions').set(sFields).where('id', '=', sub.id).execute();
          updated++;
        }
        inserted += await ensureThread(trx, consultationId, question.id, sub.id, s.number, now);
      }
    }
    return { consultationId, inserted, updated };
  });
}

async function ensureThread(
  trx: Kysely<Database>,
  consultationId: number,
  questionId: number,
  subQuestionId: number | null,
  number: string,
  now: string,
): Promise<number> {
  const existing = await trx
    .selectFrom('threads')
    .select('id')
    .where('consultationId', '=', consultationId)
    .where('number', '=', number)
    .executeTakeFirst();
  if (existing) return 0;
  await trx
    .insertInto('threads')
    .values({ consultationId, questionId, subQuestionId, number, createdAt: now })
    .execute();
  return 1;
}

function differs(row: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).some(([key, value]) => row[key] !== value);
}
