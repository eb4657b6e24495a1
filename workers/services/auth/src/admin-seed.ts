/**
 * The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD, created when no account has that email.
 * Run from ready() (so `npm start`, which waits for /readyz, ends with the admin present) and
 * before the first request of every isolate; memoized per isolate, retried after a failure.
 */
import { errorFields, log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import { config, settings } from './config.ts';
import { database } from './db/client.ts';
import type { Env } from './env.ts';
import { deliver } from './events.ts';
import { hashPassword } from './passwords.ts';
import { createUser, findUserByEmail, registered } from './users.ts';

let seeding: Promise<void> | undefined;

export function seedAdminOnce(env: Env): Promise<void> {
  seeding ??= seedAdmin(env).catch((err) => {
    seeding = undefined;
    log('error', 'admin seeding failed', errorFields(err));
    throw err;
  });
  return seeding;
}

async function seedAdmin(env: Env): Promise<void> {
  const s = settings(env);
  const email = s.ADMIN_EMAIL?.trim();
  const password = s.ADMIN_PASSWORD;
  if (!email || !password) return;
  const db = database(env.DB);
  if (await findUserByEmail(db, email)) return;
  const passwordHash = await hashPassword(password, config(env).argon2);
  try {
    const { user, event } = await createUser(
      db,
      { email, name: 'Admin', passwordHash, roles: ['viewer', 'admin'] },
      registered(db, undefined, 'password'),
    );
    log('info', 'admin account created', { userId: user.id });
    await deliver(env, db, [event]);
  } catch (err) {
    // Another isolate created it first.
    if (!(err instanceof Problem && err.code === 'conflict')) throw err;
  }
}
