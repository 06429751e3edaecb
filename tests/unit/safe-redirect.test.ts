import { describe, expect, it } from 'vitest';
import { safeRedirect } from '../../app/utils/http.server';

describe('safeRedirect', () => {
  it('keeps same-site paths', () => {
    for (const path of ['/', '/notifications', '/c/gfmd/q/2/2.4?flagged=1#post-3', '/c/gfmd/case-studies/7'])
      expect(safeRedirect(path, '/fallback')).toBe(path);
  });

  it('refuses what a browser would read as another site', () => {
    for (const path of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/.//evil.example',
      '/%2e//evil.example',
      '/a/..//evil.example',
      null,
      undefined,
    ])
      expect(safeRedirect(path, '/fallback')).toBe('/fallback');
  });
});
