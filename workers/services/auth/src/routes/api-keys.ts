import { implement, json, noContent } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { requireAdmin } from '../access.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from '../api-keys.ts';
import { createApiKey, listApiKeys as listRoute, revokeApiKey as revokeRoute } from '../contract/api-keys.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';

export const createApiKeyHandler = implement(createApiKey, async ({ body }, caller, env: Env) => {
  requireAdmin(caller);
  // A key is issued to a person; a leaked key must not be able to mint more of itself.
  if (!caller.userId)
    throw Problem.forbidden('API keys are issued to admins signed in with an access token.');
  return json(201, await issueApiKey(database(env.DB), caller.userId, body), {
    'Cache-Control': 'no-store',
  });
});

export const listApiKeysHandler = implement(listRoute, async ({ query }, caller, env: Env) => {
  requireAdmin(caller, ['ops']);
  const { keys, total } = await listApiKeys(database(env.DB), query.page, query.limit);
  return { ...json(200, keys), total };
});

export const revokeApiKeyHandler = implement(revokeRoute, async ({ params }, caller, env: Env) => {
  requireAdmin(caller);
  if (!(await revokeApiKey(database(env.DB), params.keyId))) throw Problem.notFound('No such API key.');
  return noContent;
});
