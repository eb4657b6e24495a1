/** Profiles: created from signup (UserRegistered), erased with the account (UserDeleted). */
import { eq, sql } from 'drizzle-orm';
import type { Envelope } from '../../../../queues/events.ts';
import type { Caller, Reply } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { bumpVersion } from './cache.ts';
import type { Env } from './config.ts';
import { NAME_MAX } from './contract/schemas.ts';
import type { Db } from './db/client.ts';
import { deletedUsers, history, idempotencyKeys, profiles, ratings, watchlist } from './db/schema.ts';
import { userIsLive } from './videos.ts';

export type ProfileRow = typeof profiles.$inferSelect;

export function profileView(row: ProfileRow) {
  return {
    userId: row.userId,
    name: row.name,
    avatarUrl: row.avatarUrl,
    preferences: row.preferences,
  };
}

/** The profile of a new account, named as at signup; a redelivery or a deleted account changes nothing. */
export async function createProfile(db: Db, event: Envelope<'UserRegistered'>): Promise<void> {
  const { userId, name } = event.data;
  const at = Date.parse(event.time);
  await db
    .insert(profiles)
    .select(
      sql`SELECT ${userId}, ${name.trim().slice(0, NAME_MAX)}, NULL, '{}', ${at}, ${at} WHERE ${userIsLive(userId)}`,
    )
    .onConflictDoNothing();
}

/**
 * Removes everything the service holds of a user. For a deleted account (`tombstone`) it also
 * remembers the id, so that late events and the last requests of its expiring tokens add nothing back.
 */
export async function eraseUser(db: Db, userId: string, tombstone: boolean, now = new Date()): Promise<void> {
  await db.batch([
    db.delete(profiles).where(eq(profiles.userId, userId)),
    db.delete(watchlist).where(eq(watchlist.userId, userId)),
    db.delete(history).where(eq(history.userId, userId)),
    db.delete(ratings).where(eq(ratings.userId, userId)),
    db.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId)),
    // Cached pages of the user become unreachable (the version only ever grows).
    bumpVersion(db, userId),
    ...(tombstone ? [db.insert(deletedUsers).values({ userId, deletedAt: now }).onConflictDoNothing()] : []),
  ]);
}

/**
 * The caller's own profile when UserRegistered has not arrived yet (a profile is read right after
 * signup, while the event is still on its way): made from the account auth answers for the caller's
 * token, as the event would make it. Undefined when auth does not know the account or cannot answer.
 */
export async function profileFromAccount(env: Env, db: Db, caller: Caller): Promise<ProfileRow | undefined> {
  if (!caller.userId) return undefined;
  let reply: Reply;
  try {
    reply = await env.AUTH.handle('auth.me', { params: {}, query: {}, body: undefined, headers: {} }, caller);
  } catch (err) {
    log('warn', 'auth could not be asked for the account', { userId: caller.userId, ...errorFields(err) });
    return undefined;
  }
  const account = reply.status === 200 ? (reply.body as { userId?: unknown; name?: unknown }) : undefined;
  if (account?.userId !== caller.userId || typeof account.name !== 'string') return undefined;
  const at = Date.now();
  await db
    .insert(profiles)
    .select(
      sql`SELECT ${caller.userId}, ${account.name.trim().slice(0, NAME_MAX)}, NULL, '{}', ${at}, ${at} WHERE ${userIsLive(caller.userId)}`,
    )
    .onConflictDoNothing();
  return db.select().from(profiles).where(eq(profiles.userId, caller.userId)).get();
}
