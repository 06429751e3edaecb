/**
 * Accounts: registration, sign-in checks, roles. Plain functions over the database; callers
 * (form actions, socket handlers, the CLI) validate input with account.schema.ts first.
 */
import { generateIdFromEntropySize } from 'lucia';
import type { Kysely } from 'kysely';
import type { Attribution, ConsultationRole, Database } from '../../db/schema';
import { recordAudit } from '../audit/audit.server';
import type { PublishAccess } from '../auth/access-events';
import { hashPassword, verifyPassword } from '../auth/auth.server';
import { nameKey } from '../text/name-key.server';
import { DomainError } from '../utils/errors';
import { effectiveRole, type Role } from './roles';
import type { RegisterInput } from './account.schema';

export interface UserListItem {
  id: string;
  name: string;
  email: string;
  organisation: string;
  stakeholderGroup: string;
  country: string;
  role: Role;
  createdAt: string;
}

// A hash of a random password, verified against when the email is unknown, so that a
// sign-in attempt takes as long whether or not the account exists.
let dummyHash: Promise<string> | undefined;

/** `publish` hears of role and profile changes once they are committed (open sockets act on them). */
export function createAccountService(db: Kysely<Database>, options: { publish?: PublishAccess } = {}) {
  const publish = options.publish ?? (() => {});
  /** No two accounts' names look alike (users.name_key is unique; this says so before it fails). */
  async function refuseLookAlike(key: string, exceptUserId?: string) {
    let query = db.selectFrom('users').select('id').where('nameKey', '=', key);
    if (exceptUserId) query = query.where('id', '!=', exceptUserId);
    if (await query.executeTakeFirst()) throw new DomainError('conflict', 'errors.nameLookAlike', 'name');
  }

  async function findByEmail(email: string) {
    return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  }

  return {
    findByEmail,

    async register(input: RegisterInput, options: { siteRole?: 'member' | 'admin' } = {}): Promise<string> {
      if (await findByEmail(input.email)) throw new DomainError('conflict', 'errors.emailTaken', 'email');
      const key = nameKey(input.name);
      await refuseLookAlike(key);
      const now = new Date().toISOString();
      const id = generateIdFromEntropySize(10);
      const passwordHash = await hashPassword(input.password);
      try {
        await db
          .insertInto('users')
          .values({
            id,
            email: input.email.trim().toLowerCase(),
            name: input.name,
            nameKey: key,
            organisation: input.organisation,
            stakeholderGroup: input.stakeholderGroup,
            country: input.country,
            passwordHash,
            siteRole: options.siteRole ?? 'member',
            createdAt: now,
            updatedAt: now,
          })
          .execute();
      } catch (error) {
        // Two registrations racing for one email (or two look-alike names): the unique index decides.
        if (/unique|duplicate/i.test((error as Error).message)) {
          if (/name_key/.test((error as Error).message)) throw new DomainError('conflict', 'errors.nameLookAlike', 'name');
          throw new DomainError('conflict', 'errors.emailTaken', 'email');
        }
        throw error;
      }
      return id;
    },

    /**
     * Changes a display name (checked by the caller with `nameText()`), unless it looks like
     * another account's (`errors.nameLookAlike`), as at registration.
     */
    async rename(userId: string, name: string): Promise<void> {
      const key = nameKey(name);
      await refuseLookAlike(key, userId);
      try {
        await db.updateTable('users').set({ name, nameKey: key, updatedAt: new Date().toISOString() }).where('id', '=', userId).execute();
      } catch (error) {
        if (/name_key/.test((error as Error).message)) throw new DomainError('conflict', 'errors.nameLookAlike', 'name');
        throw error;
      }
      publish({ type: 'user.changed', userId });
    },

    /** The user id if the email and password match, else null. */
    async authenticate(email: string, password: string): Promise<string | null> {
      const user = await findByEmail(email);
      if (!user) {
        dummyHash ??= hashPassword(generateIdFromEntropySize(16));
        await verifyPassword(await dummyHash, password);
        return null;
      }
      return (await verifyPassword(user.passwordHash, password)) ? user.id : null;
    },

    /**
     * Replaces the password if `current` is right (else `errors.currentPassword`). The caller then
     * ends the user's sessions (every device signs in again) and opens one for this browser.
     */
    async changePassword(userId: string, current: string, next: string): Promise<void> {
      const user = await db.selectFrom('users').select('passwordHash').where('id', '=', userId).executeTakeFirst();
      if (!user) throw new DomainError('not_found', 'errors.userNotFound');
      if (!(await verifyPassword(user.passwordHash, current))) throw new DomainError('invalid', 'errors.currentPassword', 'currentPassword');
      await this.setPassword(userId, next);
    },

    async setPassword(userId: string, password: string): Promise<void> {
      await db
        .updateTable('users')
        .set({ passwordHash: await hashPassword(password), updatedAt: new Date().toISOString() })
        .where('id', '=', userId)
        .execute();
    },

    async setDefaultAttribution(userId: string, attribution: Attribution): Promise<void> {
      await db
        .updateTable('users')
        .set({ defaultAttribution: attribution, updatedAt: new Date().toISOString() })
        .where('id', '=', userId)
        .execute();
      publish({ type: 'user.changed', userId });
    },

    async setLocale(userId: string, locale: string): Promise<void> {
      await db.updateTable('users').set({ locale }).where('id', '=', userId).execute();
    },

    roleIn: (userId: string, consultationId: number) => roleOf(db, userId, consultationId),

    async listUsers(consultationId: number): Promise<UserListItem[]> {
      const rows = await db
        .selectFrom('users')
        .leftJoin('consultationMembers as m', (join) =>
          join.onRef('m.userId', '=', 'users.id').on('m.consultationId', '=', consultationId),
        )
        .select([
          'users.id',
          'users.name',
          'users.email',
          'users.organisation',
          'users.stakeholderGroup',
          'users.country',
          'users.siteRole',
          'users.createdAt',
          'm.role',
        ])
        .orderBy('users.name')
        .orderBy('users.id')
        .execute();
      return rows.map(({ siteRole, role, ...u }) => ({ ...u, role: effectiveRole(siteRole, role) }));
    },

    /**
     * Gives `userId` a role in the consultation (or the global admin role). Only admins may,
     * and the last admin cannot step down. The change and its audit entry commit together.
     * Answers whether the role changed: false when the user already held it (nothing written,
     * nothing audited, no one told).
     */
    async setRole(actorId: string, userId: string, consultationId: number, role: Role): Promise<boolean> {
      const changed = await db.transaction().execute(async (trx) => {
        const actor = await trx.selectFrom('users').select('siteRole').where('id', '=', actorId).executeTakeFirst();
        if (actor?.siteRole !== 'admin') throw new DomainError('forbidden', 'errors.forbidden');
        const target = await trx
          .selectFrom('users')
          .leftJoin('consultationMembers as m', (join) =>
            join.onRef('m.userId', '=', 'users.id').on('m.consultationId', '=', consultationId),
          )
          .select(['users.id', 'users.siteRole', 'm.role'])
          .where('users.id', '=', userId)
          .executeTakeFirst();
        if (!target) throw new DomainError('not_found', 'errors.userNotFound', 'userId');
        const from = effectiveRole(target.siteRole, target.role);
        if (from === role) return false;

        if (target.siteRole === 'admin' && role !== 'admin') {
          const { admins } = await trx
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<string | number>().as('admins'))
            .where('siteRole', '=', 'admin')
            .executeTakeFirstOrThrow();
          if (Number(admins) <= 1) throw new DomainError('conflict', 'errors.lastAdmin', 'role');
        }

        await applyRole(trx, { actorId, userId, consultationId, from, to: role });
        return true;
      });
      if (changed) publish({ type: 'role.changed', userId, consultationId });
      return changed;
    },
  };
}

/** A user's effective role in a consultation; every domain service asks this, never the caller. */
export async function roleOf(db: Kysely<Database>, userId: string, consultationId: number): Promise<Role> {
  const row = await db
    .selectFrom('users')
    .leftJoin('consultationMembers as m', (join) =>
      join.onRef('m.userId', '=', 'users.id').on('m.consultationId', '=', consultationId),
    )
    .select(['users.siteRole', 'm.role'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new DomainError('not_found', 'errors.userNotFound');
  return effectiveRole(row.siteRole, row.role);
}

/**
 * Writes a role change and its audit entry. Callers check permission and run it in a
 * transaction; the CLI and the demo seed call it with no actor (the system).
 */
export async function applyRole(
  db: Kysely<Database>,
  change: { actorId: string | null; userId: string; consultationId: number; from: Role | null; to: Role },
): Promise<void> {
  const { actorId, userId, consultationId, from, to } = change;
  const now = new Date().toISOString();
  await db
    .updateTable('users')
    .set({ siteRole: to === 'admin' ? 'admin' : 'member', updatedAt: now })
    .where('id', '=', userId)
    .execute();
  if (to !== 'admin') await setMembership(db, consultationId, userId, to, now);
  await recordAudit(db, {
    actorId,
    consultationId,
    action: 'user.role_changed',
    subjectType: 'user',
    subjectId: userId,
    details: { from, to },
  });
}

async function setMembership(
  db: Kysely<Database>,
  consultationId: number,
  userId: string,
  role: ConsultationRole,
  now: string,
) {
  await db
    .insertInto('consultationMembers')
    .values({ consultationId, userId, role, createdAt: now, updatedAt: now })
    .onConflict((oc) => oc.columns(['consultationId', 'userId']).doUpdateSet({ role, updatedAt: now }))
    .execute();
}

export type AccountService = ReturnType<typeof createAccountService>;
