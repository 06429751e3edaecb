/**
 * Lucia v3's storage adapter over Kysely. Lucia v3 is deprecated upstream; this file and
 * auth.server.ts are the whole session layer, small enough to replace (docs/decisions/0002).
 */
import type { Adapter, DatabaseSession, DatabaseUser } from 'lucia';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { PublishAccess } from './access-events';

export class KyselySessionAdapter implements Adapter {
  /**
   * `publish` hears of every session that ends, whatever ended it (sign-out, password change,
   * "sign out everywhere", expiry found by Lucia): the one place sessions are deleted is here.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly publish: PublishAccess = () => {},
  ) {}

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .select([
        'sessions.id as sessionId',
        'sessions.expiresAt',
        'users.id',
        'users.email',
        'users.name',
        'users.organisation',
        'users.stakeholderGroup',
        'users.country',
        'users.siteRole',
        'users.defaultAttribution',
        'users.locale',
      ])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return [null, null];
    const { sessionId: id, expiresAt, ...user } = row;
    return [
      { id, userId: user.id, expiresAt: new Date(expiresAt), attributes: {} },
      { id: user.id, attributes: user },
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.selectFrom('sessions').selectAll().where('userId', '=', userId).execute();
    return rows.map((r) => ({ id: r.id, userId: r.userId, expiresAt: new Date(r.expiresAt), attributes: {} }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: session.id, userId: session.userId, expiresAt: session.expiresAt.toISOString() })
      .execute();
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ expiresAt: expiresAt.toISOString() })
      .where('id', '=', sessionId)
      .execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
    this.publish({ type: 'sessions.ended', sessionId });
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('userId', '=', userId).execute();
    this.publish({ type: 'sessions.ended', userId });
  }

  async deleteExpiredSessions(): Promise<void> {
    const expired = await this.db
      .deleteFrom('sessions')
      .where('expiresAt', '<=', new Date().toISOString())
      .returning('id')
      .execute();
    for (const { id } of expired) this.publish({ type: 'sessions.ended', sessionId: id });
  }
}
