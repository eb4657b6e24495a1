import { implement, json } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import { config } from '../config.ts';
import { signup } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import { sendVerification } from '../email-verification.ts';
import type { Env } from '../env.ts';
import { deliverLater } from '../events.ts';
import { hashPassword } from '../passwords.ts';
import { openSession, TOKEN_HEADERS } from '../sessions.ts';
import { createUser, findUserByEmail, registered } from '../users.ts';

export const signupHandler = implement(signup, async ({ body }, caller, env: Env, ctx) => {
  const db = database(env.DB);
  if (await findUserByEmail(db, body.email))
    throw Problem.conflict('An account with this email already exists.');
  const passwordHash = await hashPassword(body.password, config(env).argon2);
  const { user, event } = await createUser(
    db,
    { email: body.email, name: body.name, passwordHash },
    registered(db, caller, 'password'),
  );
  deliverLater(ctx, env, db, [event]);
  ctx.waitUntil(
    sendVerification(env, db, user, caller.origin).catch((err) =>
      log('error', 'verification mail failed', { requestId: caller.requestId, ...errorFields(err) }),
    ),
  );
  const session = await openSession(env, db, user, 'password');
  return json(201, { userId: user.id, email: user.email, ...session }, TOKEN_HEADERS);
});
