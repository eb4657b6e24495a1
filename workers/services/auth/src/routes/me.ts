import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { me } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { findUser, userView } from '../users.ts';

export const meHandler = implement(me, async (_input, caller, env: Env) => {
  const user = caller.userId ? await findUser(database(env.DB), caller.userId) : undefined;
  if (!user) throw Problem.unauthorized('The account behind this token no longer exists.');
  return json(200, userView(user));
});
