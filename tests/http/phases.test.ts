/**
 * Phases without JavaScript (docs/decisions/0015-phases.md): the phase on every page (cached
 * anonymous pages included), the admin's control with its confirmation step, a double submit
 * moving once, others refused, the forms of a closed phase answering with the translated message
 * and storing nothing, and the move in the audit log in words.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Phase } from '../../app/consultations/phases';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser } from '../support/sockets';

let app: TestServer;
let consultationId: number;
let admin: Client;
const BASE = '/c/gfmd-2020-partnerships';
const THREAD = `${BASE}/q/2/2.4`;
const KEY = () => `phase-test-${Math.random().toString(36).slice(2)}-key`;

const setPhase = (phase: Phase) => app.server.database.db.updateTable('consultations').set({ phase }).where('id', '=', consultationId).execute();
const phaseNow = async () => (await app.server.database.db.selectFrom('consultations').select('phase').where('id', '=', consultationId).executeTakeFirstOrThrow()).phase;
const phaseMoves = async () =>
  Number(
    (await app.server.database.db.selectFrom('auditLog').select((eb) => eb.fn.countAll().as('n')).where('action', '=', 'consultation.phase').executeTakeFirstOrThrow()).n,
  );
const signedIn = async (role?: 'moderator') => {
  const user = await createUser(app, role ? { role } : {});
  return { user, http: new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' }) };
};
/** The phase bar's badge: the phase shown under the header. */
const badgeOf = (html: string) => /data-testid="phase-bar"[\s\S]*?data-phase="([a-z]+)"/.exec(html)?.[1];

beforeAll(async () => {
  app = await startTestServer({ POSTS_PER_MINUTE: '1000' });
  consultationId = (await app.server.services.consultations.getDefault())!.id;
  const user = await createUser(app, { name: 'Ada Admin' });
  await app.server.database.db.updateTable('users').set({ siteRole: 'admin' }).where('id', '=', user.id).execute();
  admin = new Client(app.url, { cookie: user.cookie, 'accept-language': 'en' });
});
afterAll(() => app?.close());
beforeEach(() => setPhase('open'));

describe('the phase on every page', () => {
  it('shows the current phase under the header, and a move shows on cached anonymous pages at once', async () => {
    const anonymous = new Client(app.url, { 'accept-language': 'en' });
    const pages = ['/register', BASE, THREAD, `${BASE}/case-studies`, '/sign-in'];
    for (const path of pages) {
      const html = await (await anonymous.get(path)).text();
      expect(badgeOf(html), path).toBe('open');
      expect(html, path).toContain('Open for contributions');
    }
    const moved = await admin.post(BASE, { intent: 'phase', from: 'open', move: 'forward', formKey: KEY() });
    expect(moved.status).toBe(302);
    for (const path of pages) expect(badgeOf(await (await anonymous.get(path)).text()), path).toBe('compiling');
    const fr = await (await new Client(app.url, { 'accept-language': 'fr' }).get(THREAD)).text();
    expect(fr).toContain('Compilation des contributions');
  });
});

describe('the admin’s phase control', () => {
  it('is offered to admins alone, through a confirmation that says what will close', async () => {
    const { http: participant } = await signedIn();
    const { http: moderator } = await signedIn('moderator');
    for (const other of [participant, moderator]) expect(await (await other.get(`${BASE}?confirm=forward`)).text()).not.toContain('data-testid="phase-control"');

    const page = await (await admin.get(BASE)).text();
    expect(page).toContain('data-testid="phase-forward"');
    expect(page).toContain('Move to “Compiling the inputs”');
    expect(page).not.toContain('data-testid="phase-back"'); // never back from open to draft
    const confirm = await (await admin.get(`${BASE}?confirm=forward`)).text();
    expect(confirm).toContain('data-testid="phase-confirm"');
    expect(confirm).toContain('Threads become read-only');
    expect(confirm).toContain('Case studies can no longer be submitted or edited');
    expect(confirm).toMatch(/name="formKey"/);
    expect(await phaseNow()).toBe('open'); // asking to confirm moves nothing
    // The confirmation's own form, as a browser without JavaScript sends it.
    const section = confirm.slice(confirm.indexOf('data-testid="phase-confirm"'));
    const action = /<form method="post" action="([^"]*)"/.exec(section)![1]!.replaceAll('&amp;', '&');
    const fields = Object.fromEntries([...section.matchAll(/<input type="hidden" name="([a-zA-Z]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(fields).toMatchObject({ intent: 'phase', from: 'open', move: 'forward' });
    const moved = await admin.post(action, { ...fields, formKey: KEY() });
    expect(moved.status).toBe(302);
    expect(await phaseNow()).toBe('compiling');
    const next = await (await admin.get(BASE)).text();
    expect(next).toContain('Step back to “Open for contributions”');
    expect(next).toContain('Move to “Writing the synthesis”');
  });

  it('moves once however often the form is sent; a stale form is refused with a message', async () => {
    const before = await phaseMoves();
    const form = { intent: 'phase', from: 'open', move: 'forward', formKey: KEY() };
    const first = await admin.post(BASE, form);
    const second = await admin.post(BASE, form);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${BASE}?moved=compiling#phase`);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await phaseNow()).toBe('compiling');
    expect(await phaseMoves()).toBe(before + 1);
    expect(await (await admin.get(`${BASE}?moved=compiling`)).text()).toContain('The consultation is now in its “Compiling the inputs” phase.');

    // The same move from another tab (another key) finds the phase changed: refused, said, not moved again.
    const stale = await admin.post(BASE, { ...form, formKey: KEY() });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('The consultation is no longer in that phase');
    expect(await phaseNow()).toBe('compiling');
    expect(await phaseMoves()).toBe(before + 1);
  });

  it('refuses participants and moderators (403), and a move that does not exist (400)', async () => {
    const before = await phaseMoves();
    for (const role of [undefined, 'moderator'] as const) {
      const { http } = await signedIn(role);
      const res = await http.post(BASE, { intent: 'phase', from: 'open', move: 'forward', formKey: KEY() });
      expect(res.status).toBe(403);
    }
    const backToDraft = await admin.post(BASE, { intent: 'phase', from: 'open', move: 'back', formKey: KEY() });
    expect(backToDraft.status).toBe(400);
    expect(await backToDraft.text()).toContain('That phase change does not exist.');
    expect((await admin.post(BASE, { intent: 'phase', from: 'open', move: 'sideways' })).status).toBe(400);
    expect(await phaseNow()).toBe('open');
    expect(await phaseMoves()).toBe(before);
  });

  it('shows the move in the audit log in words', async () => {
    await admin.post(BASE, { intent: 'phase', from: 'open', move: 'forward', formKey: KEY() });
    const log = await (await admin.get(`${BASE}/moderation/audit?action=consultation.`)).text();
    expect(log).toContain('Phase changed');
    expect(log).toContain('From “Open for contributions” to “Compiling the inputs”');
    expect(log).toContain('The consultation');
  });
});

describe('forms once the consultation has left open', () => {
  it('a thread shows a read-only notice instead of the composer; its form action answers with the message and stores nothing', async () => {
    const { user, http } = await signedIn();
    await setPhase('compiling');
    const page = await (await http.get(THREAD)).text();
    expect(page).toContain('data-testid="phase-closed"');
    expect(page).toContain('The consultation is in its “Compiling the inputs” phase: the threads are read-only.');
    expect(page).not.toContain('name="intent" value="create"');
    const res = await http.post(THREAD, { intent: 'create', clientId: clientId(), text: 'Too late.', attribution: 'named', language: '' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This consultation is not open for contributions.');
    const { n } = await app.server.database.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', user.id).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('a case study cannot be written: the page says why, the form action refuses in the reader’s language and stores nothing', async () => {
    const { user } = await signedIn();
    const fr = new Client(app.url, { cookie: user.cookie, 'accept-language': 'fr' });
    await setPhase('synthesis');
    const page = await (await fr.get(`${BASE}/case-studies/new`)).text();
    expect(page).toContain('La consultation est en phase « Rédaction de la synthèse » : les études de cas ne peuvent plus être proposées ni modifiées.');
    const res = await fr.post(`${BASE}/case-studies/new`, { intent: 'save', title: 'Trop tard', attribution: 'named', language: 'fr' });
    expect(res.status).toBe(403);
    // The form gives way to the reason, as the page now shows it.
    expect(await res.text()).toContain('La consultation est en phase « Rédaction de la synthèse » : les études de cas ne peuvent plus être proposées ni modifiées.');
    const { n } = await app.server.database.db.selectFrom('caseStudies').select((eb) => eb.fn.countAll().as('n')).where('authorId', '=', user.id).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('final: a note says it is read-only, offers no version form, and refuses a version with the message', async () => {
    const { user, http } = await signedIn('moderator');
    const noteId = await app.server.services.notes.open(user.id, consultationId, { questionId: null, stakeholderGroup: null, title: 'Note finale' });
    const path = `${BASE}/notes/${noteId}`;
    expect(await (await http.get(path)).text()).toContain('data-testid="note-version-form"');
    await setPhase('final');
    const page = await (await http.get(path)).text();
    expect(page).toContain('The consultation is final: this note is read-only for everyone.');
    expect(page).not.toContain('data-testid="note-version-form"');
    const res = await http.post(path, { intent: 'version', name: 'After the end', formKey: KEY() });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('The consultation is final: nothing can be changed any more.');
    const { n } = await app.server.database.db.selectFrom('noteVersions').select((eb) => eb.fn.countAll().as('n')).where('noteId', '=', noteId).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('final: a note form opened before the move is refused with the message (the page offers no form to show it in), and opens nothing', async () => {
    const { user } = await signedIn('moderator');
    await setPhase('final');
    const count = async () => Number((await app.server.database.db.selectFrom('notes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    for (const [lang, message] of [
      ['en', 'The consultation is final: nothing can be changed any more.'],
      ['fr', 'La consultation est finalisée : plus rien ne peut être modifié.'],
    ] as const) {
      const res = await new Client(app.url, { cookie: user.cookie, 'accept-language': lang }).post(`${BASE}/notes`, { intent: 'open', questionId: '', stakeholderGroup: '', title: 'Too late', formKey: KEY() });
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).not.toContain('data-testid="note-open-form"');
      expect(html).toContain(message);
    }
    expect(await count()).toBe(before);
  });
});
