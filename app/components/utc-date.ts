/**
 * Dates and times as pages show them. Isomorphic helpers.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
/** A date and time in UTC (the server's and the browser's renderings agree), one formatter per language. */
export function utcFormat(language: string): Intl.DateTimeFormat {
  let format = formats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    formats.set(language, format);
  }
  return format;
}

export function formatUtc(language: string, iso: string): string {
  return `${utcFormat(language).format(new Date(iso))} UTC`;
}
