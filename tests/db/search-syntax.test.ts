/**
 * Whatever is typed, the database never sees query syntax it refuses (issue 15): random strings
 * (any UTF-16, FTS5 and tsquery operators, quotes, minus signs, asterisks) are parsed, compiled
 * by this database's index (db/search/) and run against its real index: FTS5 MATCH on SQLite,
 * to_tsquery on PostgreSQL. A query that can be searched runs without an error; one that cannot
 * says why.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../app/search/query';
import { searchIndexOf } from '../../db/search';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle?.drop());

const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 60 });
const syntaxy = fc.string({
  unit: fc.constantFrom('a', 'é', 'ñ', ' ', '"', '“', '”', '«', '»', '-', '−', '*', '(', ')', ':', '^', '{', '}', '&', '|', '!', '<->', "'", '\\', 'NEAR', 'AND', 'OR', 'NOT', '+', ',', '.', '\u0301', '\u202e', '\u200b', '\0'),
  maxLength: 40,
});

describe('the index takes every parsed query', () => {
  it('never refuses one, on this database', async () => {
    const index = searchIndexOf(handle.db);
    await fc.assert(
      fc.asyncProperty(fc.oneof(utf16, syntaxy, fc.string({ unit: 'grapheme', maxLength: 30 })), async (input) => {
        const parsed = parseQuery(input);
        if (!parsed.ok) return;
        for (const kind of ['post', 'case_study', 'key_point', 'note'] as const) {
          await index.execute(handle.db, index.textHits(kind, parsed.query));
          const excluded = index.excludedHits(kind, parsed.query);
          if (excluded) await index.execute(handle.db, excluded);
        }
        for (const scope of ['name', 'organisation'] as const) await index.execute(handle.db, index.authorHits(parsed.query, scope));
      }),
      { numRuns: 250 },
    );
  });

  it('runs the queries that used to be syntax', async () => {
    const index = searchIndexOf(handle.db);
    for (const input of ['NEAR(a b)', 'a OR b', 'body_text:a', '{title}: a', '^a', 'a:*', "a' | 'b", '!a', 'a <-> b', 'a & b', '"a" "b"', '"a b"*', 'l’école']) {
      const parsed = parseQuery(input);
      expect(parsed.ok, input).toBe(true);
      if (parsed.ok) expect(await index.execute(handle.db, index.textHits('post', parsed.query)), input).toEqual([]);
    }
  });
});
