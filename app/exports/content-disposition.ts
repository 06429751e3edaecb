/**
 * The Content-Disposition of a download (RFC 6266): an ASCII `filename` every browser reads, and
 * the exact name as `filename*` in RFC 5987 encoding (UTF-8, percent-encoded) for those that read
 * it, so a name with accents arrives intact and nothing in it can break the header.
 */
export function attachment(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\;]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
