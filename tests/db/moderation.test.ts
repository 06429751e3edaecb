/**
 * Moderation in the domain layer, on a real database: flags reach the queue (once per
 * reporter), moderators hide and restore posts or dismiss flags, each decision audited and
 * told to the author; nobody else may.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRole, createAccountService } from '../../app/accounts/accounts.server';
import { createAuditService } from '../../app/audit/audit.server';
import { createCaseStudyService } from '../../app/case-studies/case-studies.server';
import { createModerationService } from '../../app/moderation/moderation.server';
import { createNotificationService } from '../../app/notifications/notifications.server';
import { createPostService, type ThreadEvent } from '../../app/posts/posts.server';
import { seedConsultation } from '../../db/seeds/consultation';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let consultationId: number;
let threadId: number;
const events: ThreadEvent[] = [];
let posts: ReturnType<typeof createPostService>;
let moderation: ReturnType<typeof createModerationService>;
const users = {} as Record<'author' | 'reporter' | 'reporter2' | 'moderator', string>;
let clientCounter = 0;

async function user(name: string, moderator = false) {
  const id = await createAccountService(handle.db).register({
    email: `${name}@example.org`,
    name,
    organisation: `${name} org`,
    stakeholderGroup: 'business',
    country: 'IN',
    password: 'a long enough password',
  });
  if (moderator) await handle.db.transaction().execute((trx) => applyRole(trx, { actorId: null, userId: id, consultationId, from: 'participant', to: 'moderator' }));
  return id;
}

const post = (text: string) =>
  posts.create(users.author, { threadId, clientId: `client-${++clientCounter}-abcdefgh`, text, attribution: 'chatham' }, 'en');

beforeAll(async () => {
  handle = await openTestDatabase();
  ({ consultationId } = await seedConsultation(handle.db));
  threadId = (await handle.db.selectFrom('threads').select('id').where('number', '=', '1.1').executeTakeFirstOrThrow()).id;
  posts = createPostService(handle.db, { publish: (e) => events.push(e), postsPerMinute: 1000 });
  moderation = createModerationService(handle.db);
  users.author = await user('Author');
  users.reporter = await user('Reporter');
  users.reporter2 = await user('Second reporter');
  users.moderator = await user('Moderator', true);
});
afterAll(() => handle?.drop());

describe('flags', () => {
  it('reach the moderators’ queue grouped by post, once per reporter, never from the author', async () => {
    const p = await post('Buy cheap watches at example.com');
    const first = await moderation.flag(users.reporter, { subjectType: 'post', subjectId: p.id, reason: 'spam', note: 'An advert' });
    const again = await moderation.flag(users.reporter, { subjectType: 'post', subjectId: p.id, reason: 'abusive' });
    expect(again).toEqual({ id: first.id, created: false });
    await moderation.flag(users.reporter2, { subjectType: 'post', subjectId: p.id, reason: 'off_topic' });
    await expect(moderation.flag(users.author, { subjectType: 'post', subjectId: p.id, reason: 'spam' })).rejects.toMatchObject({ code: 'forbidden' });

    const queue = await moderation.flagged(users.moderator, consultationId);
    const item = queue.find((i) => i.subjectType === 'post' && i.subjectId === p.id)!;
    expect(item.flags).toHaveLength(2);
    expect(item.reasons).toEqual({ spam: 1, off_topic: 1 });
    expect(item.subject).toMatchObject({ excerpt: 'Buy cheap watches at example.com', status: 'visible', realAuthor: 'Author', thread: { number: '1.1', question: '1' } });
    expect(item.subject.author).toEqual({ attribution: 'chatham', stakeholderGroup: 'business' });
    expect(await moderation.counts(users.moderator, consultationId)).toMatchObject({ flags: 1 });
    expect((await moderation.flagged(users.moderator, consultationId, { reason: 'abusive' })).length).toBe(0);
    await expect(moderation.flagged(users.reporter, consultationId)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('cannot target what the reporter may not see', async () => {
    const studies = createCaseStudyService(handle.db);
    const id = await studies.save(users.author, consultationId, { title: 'A private draft', attribution: 'named', language: 'en' }, { submit: false });
    await expect(moderation.flag(users.reporter, { subjectType: 'case_study', subjectId: id, reason: 'spam' })).rejects.toMatchObject({ code: 'not_found' });
    // A draft is its author's own business, moderators included (the case study's read rule).
    await expect(moderation.flag(users.moderator, { subjectType: 'case_study', subjectId: id, reason: 'spam' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(moderation.flag(users.reporter, { subjectType: 'post', subjectId: 999_999, reason: 'spam' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('hiding and restoring posts', () => {
  it('hides with a reason, resolves the flags, audits, tells the author and the thread; then restores', async () => {
    const p = await post('Insults here');
    await moderation.flag(users.reporter, { subjectType: 'post', subjectId: p.id, reason: 'abusive' });
    await expect(posts.moderate(users.moderator, p.id, true, ' ')).rejects.toMatchObject({ code: 'invalid' });
    await expect(posts.moderate(users.reporter, p.id, true, 'Not a moderator')).rejects.toMatchObject({ code: 'forbidden' });
    events.length = 0;

    const hidden = await posts.moderate(users.moderator, p.id, true, 'Personal attack');
    expect(hidden).toMatchObject({ status: 'hidden', hiddenReason: 'Personal attack' });
    const event = events.at(-1)!;
    expect(event.public).toMatchObject({ status: 'hidden', html: null });
    expect(event.public.hiddenReason).toBeUndefined();
    expect(event.moderator).toMatchObject({ status: 'hidden', hiddenReason: 'Personal attack' });
    await expect(posts.moderate(users.moderator, p.id, true, 'Again')).rejects.toMatchObject({ code: 'conflict' });

    const page = async (viewer: { id: string; moderator: boolean } | null) =>
      (await posts.list(threadId, viewer, { sort: 'oldest' })).posts.find((x) => x.id === p.id)!;
    expect(await page(null)).toMatchObject({ status: 'hidden', html: null });
    expect((await page({ id: users.reporter, moderator: false })).html).toBeNull();
    expect(await page({ id: users.author, moderator: false })).toMatchObject({ hiddenReason: 'Personal attack', html: expect.stringContaining('Insults') });
    expect((await moderation.flagged(users.moderator, consultationId)).some((i) => i.subjectId === p.id)).toBe(false);
    expect((await moderation.flagged(users.moderator, consultationId, { status: 'resolved' })).some((i) => i.subjectId === p.id)).toBe(true);

    const restored = await posts.moderate(users.moderator, p.id, false, null);
    expect(restored.status).toBe('visible');
    expect((await page(null)).html).toContain('Insults');

    const audit = await createAuditService(handle.db).list({ subjectType: 'post', subjectId: String(p.id) });
    expect(audit.map((a) => [a.action, a.reason, a.actor?.id])).toEqual([
      ['post.restore', null, users.moderator],
      ['post.hide', 'Personal attack', users.moderator],
    ]);
    const notices = await createNotificationService(handle.db).list(users.author);
    expect(notices.slice(0, 2).map((n) => [n.kind, n.details.note])).toEqual([
      ['post.restore', null],
      ['post.hide', 'Personal attack'],
    ]);
  });

  it('dismisses flags with an audit entry, only for moderators', async () => {
    const p = await post('A sharp but fair remark');
    await moderation.flag(users.reporter, { subjectType: 'post', subjectId: p.id, reason: 'abusive' });
    await expect(moderation.dismiss(users.reporter, 'post', p.id, null)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await moderation.dismiss(users.moderator, 'post', p.id, 'Within the rules')).toBe(1);
    await expect(moderation.dismiss(users.moderator, 'post', p.id, null)).rejects.toMatchObject({ code: 'conflict' });
    const [entry] = await createAuditService(handle.db).list({ action: 'flags.dismiss', subjectId: String(p.id) });
    expect(entry).toMatchObject({ reason: 'Within the rules', subjectType: 'post', details: { flags: 1 } });
    expect((await posts.list(threadId, null, { sort: 'oldest' })).posts.find((x) => x.id === p.id)!.status).toBe('visible');
    expect((await createAuditService(handle.db).list({ consultationId, action: 'flags.' })).length).toBeGreaterThanOrEqual(1);
  });

  it('keeps one open flag per reporter when the same report arrives several times at once; a dismissed one can be raised again', async () => {
    const p = await post('Reported by a double click');
    const report = () => moderation.flag(users.reporter2, { subjectType: 'post', subjectId: p.id, reason: 'spam' });
    const results = await Promise.all(Array.from({ length: 6 }, report));
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([created[0]!.id]));
    const open = () => handle.db.selectFrom('flags').select('id').where('subjectId', '=', p.id).where('subjectType', '=', 'post').where('status', '=', 'open').execute();
    expect(await open()).toHaveLength(1);
    // The database holds the rule too, whatever the service checks first.
    const row = { consultationId, subjectType: 'post' as const, subjectId: p.id, reporterId: users.reporter2, reason: 'spam' as const, note: '', createdAt: new Date().toISOString() };
    await expect(handle.db.insertInto('flags').values(row).execute()).rejects.toThrow(/unique|duplicate/i);

    expect(await moderation.dismiss(users.moderator, 'post', p.id, null)).toBe(1);
    const raised = await report();
    expect(raised.created).toBe(true);
    expect(await open()).toEqual([{ id: raised.id }]);
  });
});
