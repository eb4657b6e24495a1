import { implement, json } from '../../../../lib/api.ts';
import { refresh } from '../contract/sessions.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { refreshSession, TOKEN_HEADERS } from '../sessions.ts';

export const refreshHandler = implement(refresh, async ({ body }, _caller, env: Env) => {
  const pair = await refreshSession(env, database(env.DB), body.refreshToken);
  return json(200, pair, TOKEN_HEADERS);
});
