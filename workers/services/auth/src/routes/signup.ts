import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { config } from '../config.ts';
import { signup } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { announce } from '../events.ts';
import { hashPassword } from '../passwords.ts';
import { openSession, TOKEN_HEADERS } from '../sessions.ts';
import { createUser, findUserByEmail } from '../users.ts';

export const signupHandler = implement<Env, typeof signup.route>(signup, async ({ body }, caller, env) => {
  const db = database(env.DB);
  if (await findUserByEmail(db, body.email))
    throw Problem.conflict('An account with this email already exists.');
  const passwordHash = await hashPassword(body.password, config(env).argon2);
  const user = await createUser(db, { email: body.email, name: body.name, passwordHash });
  const session = await openSession(env, db, user, 'password');
  await announce(env, caller, 'UserRegistered', user.id, {
    userId: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    provider: 'password',
  });
  return json(201, { userId: user.id, email: user.email, ...session }, TOKEN_HEADERS);
});
