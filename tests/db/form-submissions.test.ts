/**
 * The form keys of creation forms (app/utils/forms.server.ts `once`, table form_submissions) on a
 * real database: a repeat that arrives while the first submission is still running waits for it
 * and answers its redirect; a refusal frees the key; a claim left by a process that died is taken
 * over; old keys are swept.
 */
import type { AppLoadContext } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService } from '../../app/accounts/accounts.server';
import { DomainError } from '../../app/utils/errors';
import { once } from '../../app/utils/forms.server';
import { openTestDatabase } from '../support/database';

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let userId: string;
let keys = 0;
const newKey = () => `test-key-${String(++keys).padStart(8, '0')}`;
/** A form as sent: its key (if any) and its fields. */
const sent = (key: string | null, fields: Record<string, string> = { title: 'A title' }) =>
  new URLSearchParams({ ...fields, ...(key === null ? {} : { formKey: key }) });

beforeAll(async () => {
  handle = await openTestDatabase();
  userId = await createAccountService(handle.db).register({
    email: 'former@example.org',
    name: 'Form Sender',
    organisation: 'Forms Ltd',
    stakeholderGroup: 'business',
    country: 'IN',
    password: 'a long enough password',
  });
});
afterAll(() => handle?.drop());

/** A load context whose database counts the reads of form keys (to see a repeat waiting). */
function contextCounting() {
  const seen = { reads: 0 };
  const db = new Proxy(handle.db, {
    get(target, prop) {
      if (prop === 'selectFrom') {
        return (...args: Parameters<typeof target.selectFrom>) => {
          seen.reads++;
          return target.selectFrom(...args);
        };
      }
      // Kysely's private fields answer only to the instance itself.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { context: { services: { db } } as unknown as AppLoadContext, seen };
}
const rowOf = (key: string) => handle.db.selectFrom('formSubmissions').selectAll().where('key', '=', key).executeTakeFirst();

describe('a form key', () => {
  it('sent again while the first is still running: waits for it and answers the same redirect, running once', async () => {
    const { context, seen } = contextCounting();
    const key = newKey();
    let runs = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const first = once(context, userId, sent(key), async () => {
      runs++;
      await gate;
      return redirect('/c/gfmd/case-studies/7?saved=1');
    });
    await expect.poll(async () => (await rowOf(key))?.result).toBeNull(); // claimed, not finished
    const second = once(context, userId, sent(key), async () => {
      runs++;
      return redirect('/c/gfmd/case-studies/8?saved=1');
    });
    await expect.poll(() => seen.reads).toBeGreaterThan(0); // the repeat found the claim and waits
    finish();
    const [a, b] = await Promise.all([first, second]);
    expect([(a as Response).headers.get('location'), (b as Response).headers.get('location')]).toEqual(['/c/gfmd/case-studies/7?saved=1', '/c/gfmd/case-studies/7?saved=1']);
    expect(runs).toBe(1);
    expect(JSON.parse((await rowOf(key))!.result!)).toEqual({ location: '/c/gfmd/case-studies/7?saved=1', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refused (a DomainError, or an answer that is not a redirect), is free again', async () => {
    const { context } = contextCounting();
    const key = newKey();
    await expect(once(context, userId, sent(key), async () => Promise.reject(new DomainError('invalid', 'errors.required', 'title')))).rejects.toMatchObject({ code: 'invalid' });
    expect(await rowOf(key)).toBeUndefined();
    expect(await once(context, userId, sent(key), async () => ({ errors: true }))).toEqual({ errors: true });
    expect(await rowOf(key)).toBeUndefined();
    const saved = await once(context, userId, sent(key), async () => {
      throw redirect('/done'); // thrown, as Remix actions may
    }).catch((thrown: unknown) => thrown);
    expect((saved as Response).headers.get('location')).toBe('/done');
    expect((await once(context, userId, sent(key), async () => redirect('/twice')) as Response).headers.get('location')).toBe('/done');
  });

  it('left running by a process that died is taken over after a while; old keys are swept', async () => {
    const { context } = contextCounting();
    const abandoned = newKey();
    const old = newKey();
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    await handle.db
      .insertInto('formSubmissions')
      .values([
        { key: abandoned, userId, result: null, createdAt: minutesAgo(3) },
        { key: old, userId, result: JSON.stringify({ location: '/yesterday' }), createdAt: minutesAgo(25 * 60) },
      ])
      .execute();
    const answer = await once(context, userId, sent(abandoned), async () => redirect('/now'));
    expect((answer as Response).headers.get('location')).toBe('/now');
    expect(await rowOf(old)).toBeUndefined();
  });

  it('sent again with other fields (a key left on a form sent before) is refused as a conflict, and nothing runs', async () => {
    const { context } = contextCounting();
    const key = newKey();
    let runs = 0;
    const run = async () => redirect(`/versions/${++runs}`);
    expect(((await once(context, userId, sent(key, { name: 'Version A' }), run)) as Response).headers.get('location')).toBe('/versions/1');
    expect(((await once(context, userId, sent(key, { name: 'Version A' }), run)) as Response).headers.get('location')).toBe('/versions/1');
    await expect(once(context, userId, sent(key, { name: 'Version B' }), run)).rejects.toMatchObject({ code: 'conflict', messageKey: 'errors.formKeyReused' });
    await expect(once(context, userId, sent(key, { name: 'Version A', extra: '' }), run)).rejects.toMatchObject({ code: 'conflict' });
    expect(runs).toBe(1);
  });

  it('without a well-formed key, or with another user’s, simply runs', async () => {
    const { context } = contextCounting();
    let runs = 0;
    const run = async () => {
      runs++;
      return redirect(`/run-${runs}`);
    };
    await once(context, userId, sent(null), run);
    await once(context, userId, sent('short'), run);
    const key = newKey();
    await once(context, userId, sent(key), run);
    const other = await once(context, 'someone-else', sent(key), run);
    expect((other as Response).headers.get('location')).toBe('/run-4');
    expect(runs).toBe(4);
  });
});
