import { describe, expect, it } from 'vitest';
import { documentFromText, plainText, renderHtml, sanitizeDocument } from '../../app/posts/lexical';
import { detectPostLanguage } from '../../app/posts/language';

const text = (t: string, format = 0) => ({ type: 'text', text: t, format, version: 1 });
const p = (...children: unknown[]) => ({ type: 'paragraph', children, version: 1 });
const root = (...children: unknown[]) => ({ root: { type: 'root', children, version: 1 } });

describe('Lexical documents from clients', () => {
  it('keeps the editor’s nodes and renders them as safe HTML and plain text', () => {
    const doc = sanitizeDocument(
      root(
        p(text('Bold', 1), text(' and '), text('italic', 2), { type: 'linebreak' }, { type: 'link', url: 'https://gfmd.org/?a=1&b="2"', children: [text('GFMD')] }),
        { type: 'list', listType: 'number', start: 3, children: [{ type: 'listitem', children: [text('first')] }, { type: 'listitem', children: [text('second')] }] },
        { type: 'quote', children: [text('A quote')] },
        { type: 'list', listType: 'bullet', children: [{ type: 'listitem', children: [text('dot')] }] },
      ),
    );
    expect(renderHtml(doc)).toBe(
      '<p><strong>Bold</strong> and <em>italic</em><br><a href="https://gfmd.org/?a=1&amp;b=&quot;2&quot;" rel="nofollow ugc noopener noreferrer">GFMD</a></p>' +
        '<ol start="3"><li>first</li><li>second</li></ol><blockquote>A quote</blockquote><ul><li>dot</li></ul>',
    );
    expect(plainText(doc)).toBe('Bold and italic\nGFMD\n\n3. first\n4. second\n\n> A quote\n\n- dot');
  });

  it('drops what the editor does not offer: inline styles, unknown attributes, code formatting', () => {
    const doc = sanitizeDocument(root(p({ ...text('x', 1 | 16), style: 'color:red', onclick: 'alert(1)' })));
    expect(JSON.stringify(doc)).not.toMatch(/color|onclick|alert/);
    expect(renderHtml(doc)).toBe('<p><strong>x</strong></p>');
  });

  it('refuses unknown nodes, unsafe links, nesting out of place, empty and oversized documents', () => {
    const refused = (input: unknown) => {
      try {
        sanitizeDocument(input);
        return 'accepted';
      } catch (e) {
        return (e as { messageKey: string }).messageKey;
      }
    };
    expect(refused(root({ type: 'script', children: [] }))).toBe('errors.postInvalid');
    expect(refused(root(p({ type: 'image', src: 'x' })))).toBe('errors.postInvalid');
    expect(refused(root(text('text directly in root')))).toBe('errors.postInvalid');
    expect(refused(root(p(p(text('paragraph in paragraph')))))).toBe('errors.postInvalid');
    for (const url of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,<script>', 'vbscript:x', '/relative', 'not a url']) {
      expect(refused(root(p({ type: 'link', url, children: [text('x')] }))), url).toBe('errors.linkScheme');
    }
    expect(refused(root(p({ type: 'link', url: 'mailto:a@b.org', children: [text('mail')] })))).toBe('accepted');
    expect(refused(root(p(text('  '))))).toBe('errors.postEmpty');
    expect(refused(root())).toBe('errors.postEmpty');
    expect(refused('{"root":')).toBe('errors.postInvalid');
    expect(refused('x'.repeat(100_001))).toBe('errors.postTooLong');
    expect(refused(root(p(text('x'.repeat(20_001)))))).toBe('errors.postTooLong');
    let deep: unknown = text('deep');
    for (let i = 0; i < 12; i++) deep = { type: 'list', listType: 'bullet', children: [{ type: 'listitem', children: [deep] }] };
    expect(refused(root(deep))).toBe('errors.postInvalid');
    expect(refused(null)).toBe('errors.postInvalid');
    expect(refused([])).toBe('errors.postInvalid');
  });

  it('turns the no-JavaScript form’s plain text into paragraphs, escaped', () => {
    const doc = documentFromText('First <b>line</b>\nsame paragraph\n\n\nSecond');
    expect(renderHtml(doc)).toBe('<p>First &lt;b&gt;line&lt;/b&gt;<br>same paragraph</p><p>Second</p>');
  });
});

describe('post language', () => {
  it('guesses French, English or Spanish, else keeps the fallback', () => {
    expect(detectPostLanguage('Les partenariats sont plus efficaces au niveau local pour les migrants.', 'en')).toBe('fr');
    expect(detectPostLanguage('The partnerships that work are the ones with clear goals.', 'fr')).toBe('en');
    expect(detectPostLanguage('Las alianzas son más eficaces cuando los gobiernos locales participan.', 'fr')).toBe('es');
    expect(detectPostLanguage('OK', 'es')).toBe('es');
  });
});
