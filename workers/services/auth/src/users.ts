import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Caller, Role } from '../../../lib/api.ts';
import { newId } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { isUniqueViolation } from './db/errors.ts';
import { type LoginMethod, type User, users } from './db/schema.ts';
import { SOURCE, type StagedEvent, stage, stageEventIf } from './events.ts';
import { advancedNotBefore } from './revocation.ts';

export const ROLES = ['viewer', 'admin'] as const satisfies readonly Role[];

/** Emails are compared case-insensitively (the contract); the typed form is kept for display. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.emailNormalized, normalizeEmail(email)) });
}

export async function findUser(db: Db, id: string): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string | null;
  roles?: Role[];
  /** The address is known to receive mail (a provider vouched for it). */
  emailVerified?: boolean;
}

/**
 * Creates an account; 409 when the email is taken (checked by the unique index, race-free). The
 * event `announce` stages for the new account is written in the same batch.
 */
export async function createUser(
  db: Db,
  input: NewUser,
  announce: (user: User) => StagedEvent,
  now = Date.now(),
): Promise<{ user: User; event: StagedEvent['event'] }> {
  const row = {
    id: newId('usr'),
    email: input.email.trim(),
    emailNormalized: normalizeEmail(input.email),
    name: input.name.trim(),
    passwordHash: input.passwordHash,
    roles: input.roles ?? ['viewer'],
    emailVerifiedAt: input.emailVerified ? now : null,
    tokensNotBefore: 0,
    createdAt: now,
    updatedAt: now,
  };
  const staged = announce(row);
  try {
    await db.batch([db.insert(users).values(row), staged.insert]);
  } catch (err) {
    if (isUniqueViolation(err)) throw Problem.conflict('An account with this email already exists.');
    throw err;
  }
  return { user: row, event: staged.event };
}

/** The UserRegistered event of a new account. */
export function registered(db: Db, caller: Pick<Caller, 'traceparent'> | undefined, provider: LoginMethod) {
  return (user: User) =>
    stage(db, caller, 'UserRegistered', user.id, {
      userId: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      provider,
    });
}

export function rolesOf(user: Pick<User, 'roles'>): Role[] {
  return user.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/** Every account is a viewer; the order is fixed so the stored set compares equal. */
export function normalizeRoles(roles: readonly string[]): Role[] {
  const set = new Set<string>([...roles, 'viewer']);
  return ROLES.filter((r) => set.has(r));
}

export function userView(user: User) {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    roles: rolesOf(user),
    emailVerified: user.emailVerifiedAt !== null,
  };
}

/** Marks the account's email verified, if it still is `email` (normalized) and is not yet verified. */
export function markEmailVerified(db: Db, userId: string, email: string, now = Date.now()) {
  return db
    .update(users)
    .set({ emailVerifiedAt: now, updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.emailNormalized, email), isNull(users.emailVerifiedAt)));
}

/** Stores a new hash of the same password (a cost upgrade); nothing is revoked. */
export async function setPasswordHash(db: Db, userId: string, passwordHash: string, now = Date.now()) {
  await db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId));
}

/** A new password: every access token issued under the old one is revoked (a batch item). */
export function replacePassword(db: Db, userId: string, passwordHash: string, now = Date.now()) {
  return db
    .update(users)
    .set({ passwordHash, updatedAt: now, tokensNotBefore: advancedNotBefore(now) })
    .where(eq(users.id, userId));
}

/** True while an admin other than this user exists. */
function otherAdminsExist(userId: string) {
  return sql`(SELECT count(*) FROM users AS u, json_each(u.roles) AS r
    WHERE r.value = 'admin' AND u.id <> ${userId}) > 0`;
}

/**
 * Replaces a user's roles and revokes the access tokens that carry the old ones. Taking admin away
 * is one conditional UPDATE that only applies while another admin remains, so two admins demoting
 * each other at once cannot leave none. The UserRoleChanged event is written in the same batch,
 * only if the update applied.
 */
export async function changeRoles(
  db: Db,
  userId: string,
  wanted: readonly string[],
  by: { caller: Caller; changedBy: string },
  now = Date.now(),
) {
  const user = await findUser(db, userId);
  if (!user) throw Problem.notFound('No such user.');
  const roles = normalizeRoles(wanted);
  const before = rolesOf(user);
  if (before.join() === roles.join()) return { user, changed: false };
  const demotesAdmin = before.includes('admin') && !roles.includes('admin');
  const applied = sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${userId}
    AND ${users.updatedAt} = ${now} AND ${users.roles} = ${JSON.stringify(roles)})`;
  const event = stageEventIf(
    db,
    SOURCE,
    applied,
    'UserRoleChanged',
    userId,
    {
      userId,
      roles,
      changedBy: by.changedBy,
    },
    by.caller.traceparent,
  );
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ roles, updatedAt: now, tokensNotBefore: advancedNotBefore(now) })
      .where(demotesAdmin ? and(eq(users.id, userId), otherAdminsExist(userId)) : eq(users.id, userId))
      .returning(),
    event.insert,
  ]);
  if (!updated[0]) throw Problem.conflict('This is the last admin; make someone else admin first.');
  return { user: updated[0], changed: true, event: event.event };
}

/**
 * Deletes an account and, by cascade, its sessions, reset tokens, API keys and linked identities;
 * with the row goes its tokens-not-before, so the gateway refuses its access tokens. The last admin
 * cannot be deleted, as it cannot be demoted. UserDeleted is written in the same batch, only if the
 * account went.
 */
export async function deleteUser(db: Db, userId: string, caller: Pick<Caller, 'traceparent'>) {
  const user = await findUser(db, userId);
  if (!user) throw Problem.notFound('No such user.');
  const gone = sql`NOT EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${userId})`;
  const event = stageEventIf(db, SOURCE, gone, 'UserDeleted', userId, { userId }, caller.traceparent);
  const [deleted] = await db.batch([
    db
      .delete(users)
      .where(
        rolesOf(user).includes('admin')
          ? and(eq(users.id, userId), otherAdminsExist(userId))
          : eq(users.id, userId),
      )
      .returning({ id: users.id }),
    event.insert,
  ]);
  if (!deleted[0]) {
    if (!(await findUser(db, userId))) throw Problem.notFound('No such user.');
    throw Problem.conflict('This is the last admin; make someone else admin first.');
  }
  return event.event;
}
