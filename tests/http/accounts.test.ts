import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole } from '../../app/accounts/accounts.server';
import { readConsultationContent, seedConsultation } from '../../db/seeds/consultation';
import { Client, validRegistration } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

async function userCount() {
  const { n } = await app.server.database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

async function registered(overrides: Record<string, string> = {}) {
  const client = new Client(app.url, { 'accept-language': 'en' });
  const form = validRegistration(overrides);
  const res = await client.post('/register', form);
  expect(res.status).toBe(302);
  return { client, form, id: (await app.server.services.accounts.findByEmail(form.email))!.id };
}

describe('registration', () => {
  it('creates the account, signs the user in with an httpOnly SameSite=Lax cookie, and returns where they were', async () => {
    const client = new Client(app.url, { 'accept-language': 'en' });
    const form = validRegistration({ name: 'Mariama Sow', redirectTo: '/c/gfmd-2020-partnerships/q/2/2.4' });
    const res = await client.post('/register', form);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/c/gfmd-2020-partnerships/q/2/2.4');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('palabre_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i); // production mode
    const page = await (await client.get('/c/gfmd-2020-partnerships/q/2/2.4')).text();
    expect(page).toMatch(/Signed in as <bdi class="user-text">Mariama Sow<\/bdi>/); // isolated: see components/UserText.tsx
  });

  it('answers bad fields one by one in the user’s language, keeps what they typed, and stores nothing', async () => {
    const before = await userCount();
    const client = new Client(app.url, { 'accept-language': 'fr' });
    const res = await client.post('/register', {
      name: '',
      email: 'pas-une-adresse',
      password: 'court',
      organisation: 'Collectif Migrations Dakar',
      stakeholderGroup: 'pirates',
      country: 'ZZ',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<p class="field-error" id="name-error">Ce champ est obligatoire.</p>');
    expect(html).toContain('<p class="field-error" id="email-error">Saisissez une adresse électronique valide');
    expect(html).toContain('<p class="field-error" id="password-error">Utilisez au moins 10 caractères.</p>');
    expect(html).toContain('<p class="field-error" id="stakeholderGroup-error">Choisissez l’une des options.</p>');
    expect(html).toContain('<p class="field-error" id="country-error">Choisissez un pays dans la liste.</p>');
    expect(html).toMatch(/aria-invalid="true" aria-describedby="email-error"/);
    expect(html).toContain('value="Collectif Migrations Dakar"');
    expect(html).toContain('value="pas-une-adresse"');
    expect(html).not.toContain('value="court"'); // a password is never sent back
    expect(await userCount()).toBe(before);
  });

  it('refuses a duplicate email, whatever its case, with a clear message', async () => {
    const { form } = await registered();
    const before = await userCount();
    const res = await new Client(app.url, { 'accept-language': 'en' }).post(
      '/register',
      validRegistration({ email: form.email.toUpperCase() }),
    );
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('An account with this email address already exists. Sign in instead.');
    expect(await userCount()).toBe(before);
  });
});

describe('sign-in and sign-out', () => {
  it('signs in with the right password and out again', async () => {
    const { form } = await registered();
    const client = new Client(app.url, { 'accept-language': 'en' });
    const res = await client.post('/sign-in', { email: form.email, password: form.password, redirectTo: '/c/gfmd-2020-partnerships' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/c/gfmd-2020-partnerships');
    expect(client.cookies.has('palabre_session')).toBe(true);
    expect(await (await client.get('/c/gfmd-2020-partnerships')).text()).toContain('Signed in as');

    const sessionId = client.cookies.get('palabre_session')!;
    const out = await client.post('/sign-out', {});
    expect(out.status).toBe(302);
    expect(client.cookies.has('palabre_session')).toBe(false);
    const row = await app.server.database.db.selectFrom('sessions').select('id').where('id', '=', sessionId).executeTakeFirst();
    expect(row).toBeUndefined();
    expect(await (await client.get('/c/gfmd-2020-partnerships')).text()).not.toContain('Signed in as');
  });

  it('refuses a wrong password without saying whether the account exists', async () => {
    const { form } = await registered();
    const client = new Client(app.url, { 'accept-language': 'en' });
    const wrong = await client.post('/sign-in', { email: form.email, password: 'not the password' });
    const unknown = await client.post('/sign-in', { email: 'nobody@example.org', password: 'not the password' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('The email address or the password is incorrect.');
    }
    expect(client.cookies.has('palabre_session')).toBe(false);
  });

  it('rate-limits repeated failures on an account, even with the right password afterwards', async () => {
    const { form } = await registered();
    const client = new Client(app.url, { 'accept-language': 'en' });
    for (let i = 0; i < 5; i++) {
      expect((await client.post('/sign-in', { email: form.email, password: `wrong password ${i}` })).status).toBe(401);
    }
    const limited = await client.post('/sign-in', { email: form.email, password: form.password });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.text()).toMatch(/Too many attempts\. Try again in \d+ minutes\./);
    expect(client.cookies.has('palabre_session')).toBe(false);
  });

  it('refuses a cross-site form post', async () => {
    const { form } = await registered();
    const res = await new Client(app.url).post('/sign-in', { email: form.email, password: form.password }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });
});

describe('users and roles', () => {
  async function admin() {
    const { client, id } = await registered(); // a name of its own: no two accounts' names look alike
    const { consultationId } = (await app.server.database.db.selectFrom('consultations').select('id as consultationId').executeTakeFirstOrThrow());
    await app.server.database.db.updateTable('users').set({ siteRole: 'admin' }).where('id', '=', id).execute();
    return { client, id, consultationId };
  }

  it('lets an admin list users and change a role, each change written to the audit log', async () => {
    const { client, id: adminId, consultationId } = await admin();
    const { id: userId } = await registered({ name: 'Lucía Fernández' });
    const list = await client.get('/admin/users');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('Lucía Fernández');
    expect(html).toContain('<label for="role-');

    const res = await client.post('/admin/users', { userId, role: 'moderator' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<bdi class="user-text">Lucía Fernández<\/bdi> is now: Moderator\./);
    expect(await app.server.services.accounts.roleIn(userId, consultationId)).toBe('moderator');
    const [entry] = await app.server.services.audit.list({ action: 'user.role_changed', subjectId: userId });
    expect(entry).toMatchObject({ actor: { id: adminId }, details: { from: 'participant', to: 'moderator' } });
    expect(await (await client.get('/admin/users')).text()).toMatch(/changed the role of <bdi class="user-text">Lucía Fernández<\/bdi> from Participant to Moderator/);

    // Saving the role held already says that nothing changed, and records nothing.
    const again = await client.post('/admin/users', { userId, role: 'moderator' });
    expect(again.status).toBe(200);
    const answer = await again.text();
    expect(answer).toMatch(/<bdi class="user-text">Lucía Fernández<\/bdi> already had the role Moderator: nothing changed\./);
    expect(answer).not.toContain('is now:');
    expect(await app.server.services.audit.list({ action: 'user.role_changed', subjectId: userId })).toHaveLength(1);
  });

  it('refuses the page and the change to a participant, and sends an anonymous visitor to sign in', async () => {
    const { consultationId } = await admin();
    const { client } = await registered();
    const { id: target } = await registered();
    expect((await client.get('/admin/users')).status).toBe(403);
    const res = await client.post('/admin/users', { userId: target, role: 'admin' });
    expect(res.status).toBe(403);
    expect(await app.server.services.accounts.roleIn(target, consultationId)).toBe('participant');
    const anonymous = await new Client(app.url).get('/admin/users');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/sign-in?redirectTo=%2Fadmin%2Fusers');
  });

  it('refuses an unknown role or user with an error and changes nothing', async () => {
    const { client } = await admin();
    const { id: target } = await registered();
    expect((await client.post('/admin/users', { userId: target, role: 'emperor' })).status).toBe(400);
    expect((await client.post('/admin/users', { userId: 'nobody', role: 'moderator' })).status).toBe(404);
    expect(await app.server.services.audit.list({ subjectId: target })).toEqual([]);
  });
});

describe('the header in another consultation', () => {
  it('links to the consultation being browsed and shows the role held there, never a draft’s title', async () => {
    const db = app.server.database.db;
    const content = readConsultationContent();
    content.slug = 'second-consultation';
    content.title = { ...content.title, en: 'A second consultation' };
    const { consultationId: second } = await seedConsultation(db, content);
    // Older than the GFMD one, which stays the default.
    await db.updateTable('consultations').set({ createdAt: '2000-01-01T00:00:00.000Z' }).where('id', '=', second).execute();
    const { client, id } = await registered({ name: 'Moderator Elsewhere' });
    await db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId: second, from: 'participant', to: 'moderator' }));

    const there = await (await client.get('/c/second-consultation')).text();
    expect(there).toContain('href="/c/second-consultation/moderation"');
    expect(there).toContain('href="/c/second-consultation/case-studies"');
    const home = await (await client.get('/c/gfmd-2020-partnerships')).text();
    expect(home).not.toContain('/moderation"');

    await db.updateTable('consultations').set({ phase: 'draft' }).where('id', '=', second).execute();
    const draft = await client.get('/c/second-consultation');
    expect(draft.status).toBe(404);
    const html = await draft.text();
    expect(html).not.toContain('A second consultation');
    expect(html).toContain('href="/c/gfmd-2020-partnerships/case-studies"');
  });
});
