import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

const SLUG = '/c/gfmd-2020-partnerships';

describe('consultation pages (no JavaScript)', () => {
  it('sends / to the open consultation', async () => {
    const res = await new Client(app.url).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(SLUG);
  });

  it('shows the landing page in the browser language, with the French original one click away', async () => {
    const res = await new Client(app.url, { 'accept-language': 'en-GB,en;q=0.9' }).get(SLUG);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('Migration partnerships: building, implementing, evaluating and reporting</h1>');
    expect(html).toMatch(/<details class="original"><summary>Original \(Français\)<\/summary><p lang="fr">Partenariats en matière de migration/);
    expect(html).toContain('Key figures');
    expect(html).toContain('554');
    expect(html).toContain('Envisager la migration sous l'); // the background note, in French
    expect(html.match(/<li class="card">/g)).toHaveLength(5);
    expect(html.match(/<h1/g)).toHaveLength(1);
  });

  it('shows the forum’s name translated, and the key figures, which have no translation, marked as in French', async () => {
    const page = async (language: string) => (await new Client(app.url, { 'accept-language': language }).get(SLUG)).text();
    const [en, es, fr] = await Promise.all([page('en'), page('es'), page('fr')]);
    expect(en).toContain('<p class="eyebrow"><span>Global Forum on Migration and Development (GFMD) 2020</span></p>');
    expect(es).toContain('<p class="eyebrow"><span>Foro Mundial sobre Migración y Desarrollo (FMMD) 2020</span></p>');
    expect(fr).toContain('<p class="eyebrow"><span>Forum mondial sur la migration et le développement (FMMD) 2020</span></p>');
    for (const translated of [en, es]) expect(translated).not.toContain('Forum mondial sur la migration et le développement (FMMD) 2020');
    // Each figure is wholly in French (value, unit, sentence), said so once, as for the background note.
    expect(en).toContain('<p class="note">The key figures were published in French and are shown in their original language.</p>');
    expect(es).toContain('<p class="note">Las cifras clave se publicaron en francés y se muestran en su idioma original.</p>');
    expect(en.match(/<li class="figure" lang="fr">/g)).toHaveLength(3);
    expect(en).toMatch(/554(<!-- -->)? <span class="figure-unit">milliards USD<\/span>/);
    expect(fr).not.toContain('<p class="note">Les chiffres clés');
    expect(fr).not.toMatch(/class="figure" lang=/);
  });

  it('shows a key figure translated when its sentence and unit are, and an untranslated forum name as original', async () => {
    const { db } = app.server.database;
    const row = await db.selectFrom('consultations').select(['id', 'forum', 'keyFigures']).executeTakeFirstOrThrow();
    const figures = JSON.parse(row.keyFigures) as { id: string; unit: unknown; en?: string }[];
    const translated = figures.map((f, i) => (i === 0 ? { ...f, unit: { fr: 'milliards USD', en: 'billion USD' }, en: 'Remittances to low- and middle-income countries reached USD 554 billion in 2019.' } : f));
    const halfway = figures.map((f, i) => (i === 1 ? { ...f, en: 'Remittances were expected to fall by 20 % in 2020.' } : f)); // the sentence, not the unit
    try {
      await db.updateTable('consultations').set({ forum: 'Forum mondial 2020', keyFigures: JSON.stringify(translated) }).where('id', '=', row.id).execute();
      const en = await (await new Client(app.url, { 'accept-language': 'en' }).get(SLUG)).text();
      expect(en).toContain('<p class="eyebrow"><span lang="fr">Forum mondial 2020</span><span class="muted"> (original language: Français)</span></p>');
      expect(en).toMatch(/<li class="figure"><p class="figure-value">554(<!-- -->)? <span class="figure-unit">billion USD<\/span><\/p><p class="figure-text">Remittances to low- and middle-income/);
      expect(en.match(/<li class="figure" lang="fr">/g)).toHaveLength(2);
      await db.updateTable('consultations').set({ keyFigures: JSON.stringify(halfway) }).where('id', '=', row.id).execute();
      const half = await (await new Client(app.url, { 'accept-language': 'en' }).get(SLUG)).text();
      expect(half).not.toContain('Remittances were expected');
      expect(half.match(/<li class="figure" lang="fr">/g)).toHaveLength(3);
    } finally {
      await db.updateTable('consultations').set({ forum: row.forum, keyFigures: row.keyFigures }).where('id', '=', row.id).execute();
    }
  });

  it('serves every question, sub-question thread and general thread', async () => {
    const client = new Client(app.url, { 'accept-language': 'es' });
    const counts = { 1: 4, 2: 4, 3: 4, 4: 3, 5: 4 } as Record<string, number>;
    for (const [q, n] of Object.entries(counts)) {
      const page = await client.get(`${SLUG}/q/${q}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`Pregunta ${q}`);
      for (let s = 1; s <= n; s++) {
        const thread = await client.get(`${SLUG}/q/${q}/${q}.${s}`);
        expect(thread.status, `${q}.${s}`).toBe(200);
        const threadHtml = await thread.text();
        expect(threadHtml).toContain(`Subpregunta ${q}.${s}`);
        expect(threadHtml).toContain('Todavía no hay contribuciones.');
      }
      expect((await client.get(`${SLUG}/q/${q}/general`)).status).toBe(200);
    }
  });

  it('answers an unknown question, sub-question or page with the 404 page in the reader’s language', async () => {
    const fr = new Client(app.url, { 'accept-language': 'fr' });
    for (const path of [`${SLUG}/q/6`, `${SLUG}/q/2/2.9`, `${SLUG}/q/1/2.4`, `${SLUG}/q/2/2.4.1`, '/c/no-such-consultation', '/nowhere']) {
      const res = await fr.get(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html, path).toContain('<h1>Page introuvable</h1>');
      expect(html, path).toContain('<title>Page introuvable · Palabre</title>');
    }
    const es = await new Client(app.url, { 'accept-language': 'es' }).get('/nowhere');
    expect(await es.text()).toContain('<h1>Página no encontrada</h1>');
  });

  it('serves the files of public/ by their name, and a missing one as the 404 page', async () => {
    const client = new Client(app.url);
    const icon = await client.get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    expect(await icon.text()).toContain('<svg');
    const missing = await client.get('/missing.svg');
    expect(missing.status).toBe(404);
  });

  it('switches language with a plain form, remembered in a cookie', async () => {
    const client = new Client(app.url, { 'accept-language': 'fr' });
    const res = await client.post('/locale', { language: 'es', redirectTo: `${SLUG}/q/2` });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${SLUG}/q/2`);
    expect(client.cookies.get('palabre_lng')).toBe('es');
    expect(await (await client.get(`${SLUG}/q/2`)).text()).toContain('<html lang="es"');
    // An off-site redirect is refused.
    const evil = await client.post('/locale', { language: 'en', redirectTo: '//evil.example/' });
    expect(evil.headers.get('location')).toBe('/');
  });

  it('sends security headers, with a fresh CSP nonce on each page', async () => {
    const client = new Client(app.url);
    const a = await client.get(SLUG);
    const b = await client.get(SLUG);
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toEqual(b.headers.get('content-security-policy'));
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await a.text();
    for (const script of html.match(/<script[^>]*>/g) ?? []) expect(script).toContain(`nonce="${nonce}"`);
  });

  it('reports health with a database check', async () => {
    const res = await new Client(app.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: app.server.database.kind });
  });
});
