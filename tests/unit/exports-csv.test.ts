/**
 * CSV and JSON exports (app/exports/render/csv.ts): parsed back with csv-parse, every field
 * round-trips (commas, quotes, CRLF, LF and CR inside cells, accents, emoji, leading zeros), the
 * file starts with a BOM and uses CRLF, and cells a spreadsheet would run as formulas are
 * neutralised with a leading `'` (OWASP) while numbers stay numbers.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCsv, renderJson, type DataCell } from '../../app/exports/render/csv';

const FORMULA = /^[=+\-@\t\r]/;
const columns = [
  { key: 'id', header: 'Id' },
  { key: 'text', header: 'Texte' },
  { key: 'n', header: 'Nombre' },
];

/** Records as csv-parse reads them back (the BOM stripped, as Excel does). */
const readBack = (csv: string): string[][] => parse(csv, { bom: true, relax_column_count: false });
/** A string cell as written, less the neutralising quote. */
const unneutralised = (original: string, read: string) => (FORMULA.test(original) ? read.replace(/^'/, '') : read);

describe('renderCsv', () => {
  const tricky = ['a, b', 'say "hi"', 'line\r\nbreak', 'line\nfeed', 'carriage\rreturn', 'Élodie à Bogotá, ñandú', '🎉 émoji 👩🏽‍🌾', '00123', ' padded ', '', "'quoted already"];

  it('round-trips every tricky field, with a BOM and CRLF between records', () => {
    const rows = tricky.map((t, i) => ({ id: i, text: t, n: i * 1.5 }));
    const csv = renderCsv(columns, rows);
    expect(csv.startsWith('\uFEFFId,Texte,Nombre\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, ...records] = readBack(csv);
    expect(header).toEqual(['Id', 'Texte', 'Nombre']);
    expect(records.map((r) => r[1])).toEqual(tricky);
    expect(records.map((r) => Number(r[2]))).toEqual(rows.map((r) => r.n));
    expect(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new TextEncoder().encode(csv))).toBe(csv);
  });

  it('neutralises cells a spreadsheet would run as formulas, and leaves numbers alone', () => {
    const formulas = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil","x")'];
    const csv = renderCsv(columns, [...formulas.map((t, i) => ({ id: i, text: t, n: -1 })), { id: 99, text: 'a=1', n: -2.5 }]);
    const records = readBack(csv).slice(1);
    expect(records.slice(0, formulas.length).map((r) => r[1])).toEqual(formulas.map((f) => `'${f}`));
    expect(records.at(-1)).toEqual(['99', 'a=1', '-2.5']);
    expect(records.every((r) => !FORMULA.test(r[1]!))).toBe(true);
    // -1 as a number is written as a number, not neutralised.
    expect(csv).toContain(",-1\r\n");
    // A header is a string cell like any other.
    expect(readBack(renderCsv([{ key: 'a', header: '=cmd' }], []))[0]).toEqual(["'=cmd"]);
  });

  it('writes null as empty, booleans as true/false, and missing keys as empty', () => {
    const csv = renderCsv(
      [
        { key: 'a', header: 'a' },
        { key: 'b', header: 'b' },
        { key: 'c', header: 'c' },
      ],
      [{ a: null, b: true, c: false }, { a: 'x' }],
    );
    expect(readBack(csv).slice(1)).toEqual([
      ['', 'true', 'false'],
      ['x', '', ''],
    ]);
  });

  it('round-trips any strings and numbers (property)', () => {
    const cellValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('=1', '+', '-', '@', '\t', '\r', '\r\n', '\n', '"', ',', '""', ' , '),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(cellValue, { minLength: 3, maxLength: 3 }), { maxLength: 8 }), (table) => {
        const rows = table.map(([id, text, n]) => ({ id, text, n }) as Record<string, DataCell>);
        const read = readBack(renderCsv(columns, rows)).slice(1);
        return (
          read.length === rows.length &&
          read.every((record, r) =>
            columns.every((c, i) => {
              const original = rows[r]![c.key]!;
              return typeof original === 'number' ? Number(record[i]) === original : unneutralised(original as string, record[i]!) === original;
            }),
          )
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('renderJson', () => {
  it('is pretty, keeps key order and ends with a newline', () => {
    const json = renderJson({ marker: 'C-17', body: '« é » 🎉', n: 2 });
    expect(json).toBe('{\n  "marker": "C-17",\n  "body": "« é » 🎉",\n  "n": 2\n}\n');
    expect(JSON.parse(json)).toEqual({ marker: 'C-17', body: '« é » 🎉', n: 2 });
  });
});
