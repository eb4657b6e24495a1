import { implement, json } from '../../../../lib/api.ts';
import { log } from '../../../../lib/log.ts';
import { requireAdmin } from '../access.ts';
import { config, settings } from '../config.ts';
import { jwks, rotateSigningKeys } from '../contract/signing-keys.ts';
import { database } from '../db/client.ts';
import type { Env } from '../env.ts';
import { wrappingKey } from '../key-wrap.ts';
import { keySet, rotateSigningKeys as rotate } from '../signing-keys.ts';

export const jwksHandler = implement(jwks, async (_input, _caller, env: Env) =>
  json(200, await keySet(database(env.DB), () => wrappingKey(settings(env).KEY_ENCRYPTION_KEY))),
);

export const rotateSigningKeysHandler = implement(rotateSigningKeys, async (_input, caller, env: Env) => {
  const db = database(env.DB);
  await requireAdmin(db, caller);
  const rotation = await rotate(
    db,
    await wrappingKey(settings(env).KEY_ENCRYPTION_KEY),
    config(env).signingKeyOverlapMs,
  );
  log('info', 'signing key rotated', { ...rotation, by: caller.userId });
  return json(200, rotation);
});
