/**
 * Tabular exports as CSV and JSON (issue 13): a question's contributions and the case-study
 * catalogue, opened by Excel and LibreOffice.
 *
 * CSV is RFC 4180 through csv-stringify: CRLF between records, a field quoted when it holds a
 * comma, a quote, CR or LF (CR alone too: csv-stringify 6 leaves it bare, which some readers
 * take for a record end), UTF-8 with a byte order mark so that Excel reads accents as UTF-8.
 *
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in
 * some, after a leading tab or carriage return) as a formula. Every STRING cell (headers
 * included) that starts with one of these is prefixed with a single quote `'`, the OWASP
 * recommendation (CSV Injection): the spreadsheet shows the text, the quote says it was
 * neutralised. Numbers are written as numbers (`-1` stays a negative number, not text).
 * Booleans are `true` / `false`; null is an empty field.
 */
import { stringify } from 'csv-stringify/sync';

export type DataCell = string | number | boolean | null;

export interface DataColumn {
  /** The record key the column reads. */
  key: string;
  /** What the header row says (localized). */
  header: string;
}

/** The characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A string cell a spreadsheet will show as text: `'` before a formula's first character. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function cell(value: DataCell | undefined): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return neutraliseFormula(value);
}

/** A header row and one record per row, in `columns`' order (keys a row lacks are empty). */
export function renderCsv(columns: { key: string; header: string }[], rows: Record<string, DataCell>[]): string {
  const records: (string | number)[][] = [columns.map((c) => neutraliseFormula(c.header))];
  for (const row of rows) records.push(columns.map((c) => cell(row[c.key])));
  return stringify(records, {
    bom: true,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    // Numbers as JavaScript prints them (no locale, no thousands separator).
    cast: { number: (value) => String(value) },
  });
}

/**
 * Pretty JSON (two spaces, a final newline), keys in the order the value gives them (JavaScript
 * puts integer-like keys first: use words as keys).
 */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
