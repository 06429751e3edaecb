/**
 * The look-alike key of a display name: two names with the same key look alike, and only one
 * account may hold it (users.name_key, unique). Server-only: the confusables table is 100 KB.
 *
 * NFKC (full-width letters, ligatures, mathematical letters become plain ones); white space,
 * punctuation, format characters, default-ignorables (zero-width joiners and spaces, fillers,
 * bidirectional controls) and the braille blank dropped; Unicode's table of
 * confusables (UTS #39, through unhomoglyph: Cyrillic а, Greek ο, 0 and 1 read as Latin a, o,
 * O and l; m as rn) applied before case is folded and again after; finally i and l count as one letter, since a capital I
 * cannot be told from a small l in most typefaces. Accents are kept: Lucía is not Lucia.
 *
 * Changing this function changes what is stored: a migration must then recompute every key.
 */
import unhomoglyph from 'unhomoglyph';

const IGNORED = /[\p{White_Space}\p{P}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\p{Noncharacter_Code_Point}\u2800\u3164\u115F\u1160\uFFA0]/gu;

/** Full case folding, near enough: ß and SS, ς and σ, ı and I meet. */
const fold = (s: string) => s.toUpperCase().toLowerCase();

export function nameKey(name: string): string {
  // The table maps before case is folded too: lower-cased first, a Cyrillic М or Greek Μ would
  // meet its small form (м, μ), whose prototype is a small capital (ʍ), not the Latin m.
  let key = fold(unhomoglyph(name.normalize('NFKC').replace(IGNORED, '').normalize('NFD'))).normalize('NFD');
  // Twice: a confusable's prototype may be a capital (0 → O) or confusable itself once folded.
  for (let i = 0; i < 2; i++) key = fold(unhomoglyph(key)).normalize('NFD');
  return key.replace(IGNORED, '').replace(/i/g, 'l').normalize('NFC');
}
