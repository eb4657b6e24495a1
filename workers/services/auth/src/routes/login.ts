import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { config } from '../config.ts';
import { login } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { deliverLater, stage } from '../events.ts';
import { admitLogin } from '../login-guard.ts';
import { burnVerification, hashPassword, needsRehash, verifyPassword } from '../passwords.ts';
import { openSession, TOKEN_HEADERS } from '../sessions.ts';
import { findUserByEmail, setPasswordHash } from '../users.ts';

export const loginHandler = implement(login, async ({ body }, caller, env: Env, ctx) => {
  const cfg = config(env);
  const db = database(env.DB);
  const ticket = await admitLogin(env, body.email, caller.ip);
  const user = await findUserByEmail(db, body.email);
  // Same work whether or not the email is registered (or has no password, e.g. Google-only).
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, body.password)
    : await burnVerification(body.password, cfg.argon2);
  if (!user?.passwordHash || !ok)
    throw Problem.unauthorized('The email or password is wrong.', 'invalid_grant');
  await ticket.succeeded();
  // The configured cost rose since this hash was made: upgrade it while the password is at hand.
  if (needsRehash(user.passwordHash, cfg.argon2)) {
    await setPasswordHash(db, user.id, await hashPassword(body.password, cfg.argon2));
  }
  const loggedIn = stage(db, caller, 'UserLoggedIn', user.id, { userId: user.id, method: 'password' });
  const session = await openSession(env, db, user, 'password', [loggedIn]);
  deliverLater(ctx, env, db, [loggedIn.event]);
  return json(200, { userId: user.id, email: user.email, ...session }, TOKEN_HEADERS);
});
