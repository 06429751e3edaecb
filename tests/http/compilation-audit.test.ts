/**
 * The audit log tells a compilation's history in people's words: what was done to which key
 * point (by its heading, linked into its question's compilation), stances translated, and a
 * filter for the compilation's entries alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';
import { clientId, createUser, doc, threadId } from '../support/sockets';

let app: TestServer;
const AUDIT = '/c/gfmd-2020-partnerships/moderation/audit';

beforeAll(async () => {
  app = await startTestServer();
});
afterAll(() => app?.close());

describe('the audit log of a compilation', () => {
  it('names key points by heading, links them into the compilation, translates stances and filters by family', async () => {
    const moderator = await createUser(app, { role: 'moderator' });
    const author = await createUser(app);
    const { services } = app.server;
    const thread = await threadId(app, '2.4');
    const post = await services.posts.create(author.id, { threadId: thread, clientId: clientId(), body: doc('Cities carry partnerships.') }, 'en');
    const question = await services.db.selectFrom('threads').select('questionId').where('id', '=', thread).executeTakeFirstOrThrow();
    const keyPointId = await services.compilation.createKeyPoint(moderator.id, question.questionId, { heading: 'Cities carry the partnerships' });
    const { clipId } = await services.compilation.clip(moderator.id, { keyPointId, sourceKind: 'post', sourceId: post.id, field: 'body', start: 0, end: 6, quote: 'Cities' });
    await services.compilation.setStance(moderator.id, { clipId, stance: 'disagrees' });

    const fr = new Client(app.url, { cookie: moderator.cookie, 'accept-language': 'fr' });
    const page = await (await fr.get(`${AUDIT}?action=key_point.`)).text();
    expect(page).toContain('Point clé créé');
    expect(page).toContain('Extrait ajouté');
    expect(page).toContain(`href="/c/gfmd-2020-partnerships/q/2/compilation#key-point-${keyPointId}"`);
    expect(page).toContain('Cities carry the partnerships');
    expect(page).toContain('Appuie → Conteste');
    expect(await (await fr.get(AUDIT)).text()).toContain('Rôle modifié'); // the moderator's appointment…
    expect(page).not.toContain('Rôle modifié'); // …which the filter leaves out
    const searched = await (await fr.get(`${AUDIT}?q=${encodeURIComponent('carry the')}`)).text();
    expect(searched).toContain('Point clé créé');
  });
});
