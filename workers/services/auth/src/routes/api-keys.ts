import { implement, json, noContent } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireAdmin } from '../access.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from '../api-keys.ts';
import { createApiKey, listApiKeys as listRoute, revokeApiKey as revokeRoute } from '../contract/api-keys.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';

export const createApiKeyHandler = implement(createApiKey, async ({ body }, caller, env: Env) => {
  const db = database(env.DB);
  // No scopes: a key is issued to a person; a leaked key must not be able to mint more of itself.
  await requireAdmin(db, caller);
  if (!caller.userId)
    throw Problem.forbidden('API keys are issued to admins signed in with an access token.');
  return json(201, await issueApiKey(db, caller.userId, body), {
    'Cache-Control': 'no-store',
  });
});

export const listApiKeysHandler = implement(listRoute, async ({ query }, caller, env: Env) => {
  const db = database(env.DB);
  await requireAdmin(db, caller, ['ops']);
  const { keys, total } = await listApiKeys(db, query.page, query.limit);
  return { ...json(200, keys), total };
});

export const revokeApiKeyHandler = implement(revokeRoute, async ({ params }, caller, env: Env) => {
  const db = database(env.DB);
  await requireAdmin(db, caller);
  if (!(await revokeApiKey(db, params.keyId))) throw Problem.notFound('No such API key.');
  return noContent;
});
