/**
 * How an export words a cited source (docs/decisions/0017), in the export's frame language:
 * the footnote at the citation ("C-17 A participant from Civil society, sub-question 3.2:
 * « … »"; a clip: its words, then its source) and the source's entry in the sources annex. The
 * author is the attributed one (`Source.author` from app/notes/citations.server.ts, through
 * app/contributions/): a Chatham House author is their stakeholder group, never a name or an
 * organisation, whoever asks. A source that is gone prints "[source withdrawn]", never an error.
 * Pure: the caller brings the words (`ExportWords`).
 */
import type { PublicAuthor } from '../contributions/attribution';
import type { Source } from '../notes/citations.server';
import type { ExportLanguage, Inline } from './document';
import { text } from './document';
import { isolate } from '../text/policy';

/** Bidirectional embeddings, overrides and isolates, and their closers. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * `words` with its bidirectional controls paired: a closer with no opener is dropped, an opener
 * never closed is closed at the end (a PDI closes its isolate and what was opened inside it).
 */
function pairBidi(words: string): string {
  const open: ('embedding' | 'isolate')[] = [];
  let out = '';
  for (const c of words) {
    if ('\u202A\u202B\u202D\u202E'.includes(c)) open.push('embedding');
    else if ('\u2066\u2067\u2068'.includes(c)) open.push('isolate');
    else if (c === '\u202C') {
      if (open.at(-1) !== 'embedding') continue;
      open.pop();
    } else if (c === '\u2069') {
      const at = open.lastIndexOf('isolate');
      if (at < 0) continue;
      out += open.splice(at).slice(1).reverse().map((kind) => (kind === 'isolate' ? '\u2069' : '\u202C')).join('');
    }
    out += c;
  }
  return out + open.reverse().map((kind) => (kind === 'isolate' ? '\u2069' : '\u202C')).join('');
}

/**
 * A contribution's words set inside a footnote's own words. Multi-line text keeps an unclosed
 * right-to-left override (it ends with its paragraph), and an excerpt may cut off its closer:
 * unpaired, it would turn everything after it in the footnote — the closing quote mark, the
 * author, the marker. So its controls are paired and the whole isolated (FSI … PDI, as the
 * site's `<bdi>`). Text without such controls is left as it is.
 */
export const userWords = (words: string) => (BIDI_CONTROL.test(words) ? isolate(pairBidi(words)) : words);

/** The translated words this module needs (from the locale files, `exports.*`). */
export interface ExportWords {
  language: ExportLanguage;
  /** `posts.chathamLabel` with the group's label. */
  chatham(group: string): string;
  /** `posts.organisationLabel`. */
  organisation(organisation: string, group: string): string;
  subQuestion(number: string): string;
  question(number: string): string;
  caseStudy: string;
  withdrawn: string;
  /** "edited since it was cited", "restricted"… for a source's standing (a clip: its own state), or null. */
  standing(source: Source): string | null;
  groupLabel(id: string): string;
}

/** Quotation marks of the frame language: « … » in French (with no-break spaces) and Spanish, “…” in English. */
export function quoted(value: string, language: ExportLanguage): string {
  const words = userWords(value);
  switch (language) {
    case 'fr':
      return `«\u00a0${words}\u00a0»`;
    case 'es':
      return `«${words}»`;
    default:
      return `“${words}”`;
  }
}

/** The id of a source's entry in the sources annex: `source-c-17`, `source-cs-4`, `source-cl-12`. */
export const sourceAnchor = (marker: string) => `source-${marker.toLowerCase()}`;

export function authorName(author: PublicAuthor, words: ExportWords): string {
  const group = words.groupLabel(author.stakeholderGroup);
  switch (author.attribution) {
    case 'named':
      return `${author.name} (${author.organisation})`;
    case 'organisation':
      return words.organisation(author.organisation, group);
    case 'chatham':
      return words.chatham(group);
  }
}

/** "sub-question 3.2", "question 3", "case study « title »". */
function whereFrom(source: Source, words: ExportWords): string {
  const kind = source.clip?.source.kind ?? source.kind;
  if (kind === 'case_study') return source.clip ? words.caseStudy : `${words.caseStudy} ${quoted(source.excerpt ?? '', words.language)}`;
  if (!source.thread) return '';
  return source.thread.includes('.') ? words.subQuestion(source.thread) : words.question(source.thread);
}

/** The words of a footnote (or an annex entry) after the marker. */
export function sourceWords(source: Source, words: ExportWords): string {
  if (source.state !== 'available' || !source.author) return words.withdrawn;
  const who = authorName(source.author, words);
  const where = whereFrom(source, words);
  const standing = words.standing(source);
  const tail = standing ? ` (${standing})` : '';
  if (source.clip) return `${quoted(source.excerpt ?? '', words.language)} — ${who}, ${source.clip.source.marker}${where ? `, ${where}` : ''}${tail}`;
  if (source.kind === 'case_study') return `${who}, ${where}${tail}`;
  return `${who}${where ? `, ${where}` : ''}: ${quoted(source.excerpt ?? '', words.language)}${tail}`;
}

/**
 * A footnote's content: the marker, linked to the source's entry in the sources annex when there
 * is one (`annex`), then its words.
 */
export function footnoteContent(source: Source, words: ExportWords, annex: boolean): Inline[] {
  const marker: Inline = annex ? { type: 'anchor-link', anchor: sourceAnchor(source.marker), children: [text(source.marker)] } : text(source.marker);
  return [marker, text(` ${sourceWords(source, words)}`)];
}

/** A source's entry in the sources annex: marker in bold, its words, and a link to it on the site. */
export function annexEntry(source: Source, words: ExportWords, siteOrigin: string): Inline[] {
  const entry: Inline[] = [text(source.marker, { bold: true }), text(` ${sourceWords(source, words)}`)];
  if (source.state === 'available' && source.href) {
    const url = new URL(source.href, siteOrigin).toString();
    entry.push(text(' '), { type: 'link', url, children: [text(url)] });
  }
  return entry;
}
