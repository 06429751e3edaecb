/**
 * The 320 px reflow check shared by the browser tests (WCAG 1.4.10). `findOverflow` runs in the
 * page (`page.evaluate(findOverflow)`): it must stay self-contained.
 */

/**
 * What passes the sides of a page `limit` CSS pixels wide, as "what: where" lines (empty when the
 * page reflows). Three kinds: the page itself scrolling sideways; a box or a line of text outside
 * the viewport and not inside a scrolling box; a box that scrolls sideways itself, except around
 * a table (WCAG 1.4.10 lets data tables scroll in two dimensions).
 */
export function findOverflow(): string[] {
  const limit = document.documentElement.clientWidth;
  const found: string[] = [];
  const describe = (el: Element) => {
    const classes = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${classes}> "${text}"`;
  };
  const clips = (el: Element) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  // Whether an ancestor (or, from `self`, the element itself) clips or scrolls sideways.
  const insideClip = (el: Element | null, self = false) => {
    for (let a = self ? el : (el?.parentElement ?? null); a && a !== document.body; a = a.parentElement) if (clips(a)) return true;
    return false;
  };
  const outside = (r: DOMRect) => r.width > 0 && (r.right > limit + 1 || r.left < -1);

  if (document.documentElement.scrollWidth > limit) found.push(`page: ${document.documentElement.scrollWidth} px wide`);
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1 && !el.querySelector('table')) {
      found.push(`scrolls sideways: ${describe(el)}`);
    }
    if (outside(el.getBoundingClientRect()) && !insideClip(el)) found.push(`box outside: ${describe(el)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent?.trim() || insideClip(node.parentElement, true) || node.parentElement?.closest('script, style, noscript')) continue;
    range.selectNodeContents(node);
    if (Array.from(range.getClientRects()).some(outside)) found.push(`text outside: ${describe(node.parentElement!)}`);
  }
  return [...new Set(found)];
}
