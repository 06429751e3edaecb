/**
 * What the export routes answer when an export cannot be made (app/components/exports/
 * download.server.ts): a page in the reader's language with the right status, never a file and
 * never a bare "Unexpected Server Error".
 */
import type { AppLoadContext } from '@remix-run/node';
import { describe, expect, it } from 'vitest';
import { refusalFor } from '../../app/components/exports/download.server';
import { i18nFor } from '../../app/i18n/i18n.server';
import { DomainError } from '../../app/utils/errors';

const context = (language: 'fr' | 'en' | 'es') => ({ language }) as unknown as AppLoadContext;

describe('refusalFor', () => {
  it('answers a full queue 429 with "many exports are being made"', async () => {
    const res = refusalFor(context('es'), new DomainError('rate_limited', 'exports.errors.busy'), '/c/x');
    expect(res.status).toBe(429);
    expect(await res.text()).toContain(i18nFor('es').getFixedT('es')('exports.errors.busy'));
  });

  // A renderer that throws (a Typst error, a worker that crashed) used to be rethrown: the
  // download answered a bare "Unexpected Server Error" with no way back.
  it('answers a renderer’s failure 500 with words in the reader’s language and a way back', async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const res = refusalFor(context('fr'), new Error('The PDF template did not compile'), '/c/x/notes/3');
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-disposition')).toBeNull();
      const html = await res.text();
      expect(html).toContain(i18nFor('fr').getFixedT('fr')('exports.errors.failed').replace(/'/g, '&#39;'));
      expect(html).toContain('href="/c/x/notes/3"');
      expect(html).not.toContain('did not compile');
    } finally {
      console.error = original;
    }
  });
});
