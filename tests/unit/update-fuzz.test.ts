/**
 * Random input for the two validators of what editors send (fast-check):
 *
 * - the note update check (app/notes/update-check.server.ts), over random edits made with plain
 *   Yjs on a replica of a note (any node type, any property, any value, text, deletions,
 *   formatting, foreign types), sent in order, out of order, merged, or with bytes damaged. It
 *   must never throw; and whatever it accepts must apply without error, leave nothing pending, and
 *   leave a document within the editor's vocabulary (read back by tests/support/note-walk.ts)
 *   that the server can still read (readDocument);
 * - the post document sanitiser (app/posts/lexical.ts) over random JSON and Lexical-like trees: it
 *   returns a document or throws InvalidDocument, nothing else, and what it returns is canonical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readDocument } from '../../app/notes/note-document.server';
import { checkUpdate } from '../../app/notes/update-check.server';
import { InvalidDocument, renderHtml, sanitizeDocument } from '../../app/posts/lexical';
import { COVER_THE_PAGE, serverNote } from '../support/note-fixtures';
import { vocabularyViolations } from '../support/note-walk';
import { appendParagraph } from '../support/yjs-client';
import { op, run } from '../support/yjs-fuzz';

/** How the edits travel: one transaction each, in order, shuffled, merged, or with bytes damaged. */
const delivery = fc.record({
  grouping: fc.constantFrom('each' as const, 'one' as const),
  order: fc.constantFrom('in order' as const, 'reversed' as const, 'merged' as const),
  // One case in four has a byte changed or is cut short.
  damage: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }), cut: fc.boolean() }) }),
});

describe('fuzzing the note update check', () => {
  it('never throws, and whatever it accepts leaves a note within the vocabulary that the server still reads', async () => {
    const base = Y.encodeStateAsUpdate(serverNote());
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), delivery, async (ops, how) => {
        const server = new Y.Doc();
        Y.applyUpdate(server, base);
        const replica = new Y.Doc();
        Y.applyUpdate(replica, base);
        const updates: Uint8Array[] = [];
        replica.on('update', (u: Uint8Array) => updates.push(u));
        if (how.grouping === 'one') replica.transact(() => ops.forEach((step) => run(replica, step)));
        else for (const step of ops) replica.transact(() => run(replica, step));
        let sent = how.order === 'merged' && updates.length > 0 ? [Y.mergeUpdates(updates)] : how.order === 'reversed' ? [...updates].reverse() : updates;
        if (how.damage && sent.length > 0) {
          const target = sent[0]!.slice();
          const at = how.damage.at % target.length;
          sent = [how.damage.cut ? target.slice(0, at) : Object.assign(target, { [at]: how.damage.byte }), ...sent.slice(1)];
        }
        for (const update of sent) {
          let result: ReturnType<typeof checkUpdate>;
          expect(() => (result = checkUpdate(update, server))).not.toThrow();
          if (!result!.ok) {
            refused++;
            continue;
          }
          accepted++;
          Y.applyUpdate(server, update);
          expect(server.store.pendingStructs).toBeNull();
          expect(server.store.pendingDs).toBeNull();
        }
        expect(vocabularyViolations(server)).toEqual([]);
        expect(() => readDocument(server)).not.toThrow();
        // And an honest co-editor's paragraph, added after whatever was taken, is read as written.
        appendParagraph(server, 'Still here.');
        expect(readDocument(server).text).toMatch(/(^|\n)Still here\.$/);
        // Lexical releases each headless editor on a timer: let it run, as a server does between reads.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }),
      { numRuns: 1_500 },
    );
    // Both sides were explored.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  }, 120_000);

  it('never throws on random bytes', () => {
    const server = serverNote();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = checkUpdate(bytes, server);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });
});

// -------------------------------------------------------------------------------------------------
// The post document sanitiser
// -------------------------------------------------------------------------------------------------

/** Something else than what is expected, now and then: any value at all. */
const or = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary }, { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) as fc.Arbitrary<unknown> });

const inlineText = fc.record(
  {
    type: or(fc.constantFrom('text', 'text', 'text', 'tab', 'linebreak')),
    text: or(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('Cities lead.', 'a\u0000b', '\u202Eevil', '   ', '\u200B', 'x'.repeat(21_000)))),
    format: or(fc.oneof(fc.integer({ min: 0, max: 4095 }), fc.constant(-1))),
    style: fc.constantFrom('', COVER_THE_PAGE),
    detail: fc.integer(),
    mode: fc.constantFrom('normal', 'token', 'segmented'),
  },
  { requiredKeys: ['type', 'text'] },
);
const link = fc.record({
  type: fc.constant('link'),
  url: or(fc.constantFrom('https://gfmd.org', 'javascript:alert(1)', 'mailto:a@b.org', ' https://x.org', 'https://x.org/\u0000', 'data:text/html,x')),
  children: fc.array(inlineText, { maxLength: 3 }),
});
const inline = fc.oneof({ weight: 4, arbitrary: inlineText }, { weight: 1, arbitrary: link });

/** Lexical-like trees of the post node types (and a few others), now and then with anything at all in them. */
const lexicalBlock: fc.Arbitrary<unknown> = fc.letrec<{ block: unknown; item: unknown }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small' },
    fc.record({ type: or(fc.constantFrom('paragraph', 'paragraph', 'quote', 'heading')), children: fc.array(inline, { maxLength: 4 }), direction: fc.constantFrom('ltr', 'rtl', 'auto', null), indent: fc.integer(), format: fc.constantFrom('', 'center') }),
    fc.record({ type: fc.constant('list'), listType: or(fc.constantFrom('bullet', 'number', 'check')), start: or(fc.integer()), children: fc.array(tie('item'), { maxLength: 3 }) }),
  ),
  item: fc.record({ type: or(fc.constant('listitem')), value: fc.integer(), children: fc.array(fc.oneof({ weight: 6, arbitrary: inline }, { weight: 1, arbitrary: tie('block') }), { maxLength: 3 }) }),
})).block;

const postDocument = fc.oneof(
  { weight: 6, arbitrary: fc.record({ root: fc.record({ type: or(fc.constant('root')), children: fc.array(lexicalBlock, { minLength: 1, maxLength: 4 }), direction: fc.constantFrom('ltr', 'rtl', null) }) }) },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.json() as fc.Arbitrary<unknown> },
);

describe('fuzzing the post document sanitiser', () => {
  it('returns a canonical document or refuses it with a reason, never anything else', () => {
    let kept = 0;
    fc.assert(
      fc.property(postDocument, (input) => {
        let doc: ReturnType<typeof sanitizeDocument>;
        try {
          doc = sanitizeDocument(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidDocument);
          return;
        }
        kept++;
        // Canonical: sanitising it again changes nothing, and its HTML has no style or script.
        expect(sanitizeDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
        expect(renderHtml(doc)).not.toMatch(/style=|<script|javascript:/i);
        expect(JSON.stringify(doc)).not.toMatch(/\\u0000|position:fixed/);
      }),
      { numRuns: 3_000 },
    );
    expect(kept).toBeGreaterThan(100);
  });

  it('refuses serialized documents that are not JSON or too large, without throwing anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.nat({ max: 50 }).map((n) => `{"root":"${'x'.repeat(100_000 + n)}"}`)), (input) => {
        try {
          sanitizeDocument(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidDocument);
        }
      }),
      { numRuns: 500 },
    );
  });
});
