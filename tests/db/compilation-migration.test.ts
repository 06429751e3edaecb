/**
 * Migration 009 (compilation): notes written before it get their citations in note_citations on
 * upgrade, once per cited contribution, so that coverage counts what they cite from the start;
 * migration 010 gives them their note's creation time as the time first cited.
 */
import { Migrator, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/database';
import { MIGRATIONS, migrateToLatest } from '../../db/migrate';
import { seedConsultation } from '../../db/seeds/consultation';
import { createTestDatabase, type TestDatabase } from '../support/database';

let testDb: TestDatabase;
let handle: DatabaseHandle;
const before: Record<string, Migration> = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '2026-11-25-009'));

beforeAll(async () => {
  testDb = await createTestDatabase();
  handle = await openDatabase(testDb.url);
});
afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

describe('migrations 009 and 010', () => {
  it("fill note_citations from existing notes' content, first cited when the note was made", async () => {
    const { error } = await new Migrator({ db: handle.db, provider: { getMigrations: async () => before } }).migrateToLatest();
    expect(error).toBeUndefined();
    const { consultationId } = await seedConsultation(handle.db);
    const citation = (kind: string, targetId: unknown) => ({ type: 'citation', kind, targetId, text: '[x]' });
    const content = JSON.stringify({
      root: {
        type: 'root',
        children: [
          { type: 'paragraph', children: [citation('post', 17), { type: 'text', text: ' and ' }, citation('case_study', 4)] },
          { type: 'list', children: [{ type: 'listitem', children: [citation('post', 17), citation('post', 'nine'), citation('user', 3)] }] },
        ],
      },
    });
    const now = new Date().toISOString();
    const made = '2026-01-02T03:04:05.000Z';
    const note = (title: string, text: string) =>
      handle.db.insertInto('notes').values({ consultationId, questionId: null, stakeholderGroup: null, title, content: text, createdAt: made, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const cited = await note('Cites', content);
    await note('Broken', '{not json');
    expect(await migrateToLatest(handle.db)).toEqual(['2026-11-25-009-compilation', '2026-11-25-010-note-citation-times', '2026-11-30-011-cluster-keys', '2026-11-30-012-search']);
    const rows = await handle.db.selectFrom('noteCitations').selectAll().orderBy('sourceKind').orderBy('sourceId').execute();
    expect(rows).toEqual([
      { noteId: cited.id, sourceKind: 'case_study', sourceId: 4, createdAt: made },
      { noteId: cited.id, sourceKind: 'post', sourceId: 17, createdAt: made },
    ]);
  });
});
