import { implement, isAdmin, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import { getRecs } from '../contract.ts';
import { computeRecs, type Rec, servingKeys } from '../serve.ts';

/**
 * The per-user edge cache: the key carries the user's interaction version, the catalogue's and the
 * model version, so a new interaction, a removed video or a model switch misses at once and the
 * TTL only bounds how long an unchanged answer is reused.
 */
function cacheKey(userId: string, limit: number, parts: (string | number)[]): Request {
  return new Request(`https://recs.cache/${encodeURIComponent(userId)}?limit=${limit}&v=${parts.join('.')}`);
}

export const getRecsHandler = implement(getRecs, async (input, caller, env: Env, ctx) => {
  const { userId } = input.params;
  // The gateway's owner policy checks this too; a service never trusts one door alone.
  if (caller.userId !== userId && !isAdmin(caller))
    throw Problem.forbidden('You may read only your own recommendations.');
  if (input.query.model && !isAdmin(caller)) throw Problem.forbidden('Only admins may choose the model.');
  const s = settings(env);
  const limit = input.query.limit;
  const keys = await servingKeys(env.DB, userId, input.query.model ?? s.RECS_MODEL);
  const modelHeader = keys.model ? `${keys.model.type}/${keys.model.versionId}` : 'none';
  const key = cacheKey(userId, limit, [keys.userVersion, keys.catalogVersion, modelHeader]);
  const cache = s.RECS_CACHE_TTL > 0 ? await caches.open('recs') : null;
  const hit = await cache?.match(key);
  if (hit) {
    return json(200, (await hit.json()) as Rec[], { 'X-Recs-Model': modelHeader, 'X-Recs-Cache': 'hit' });
  }
  const recs = await computeRecs(env.DB, userId, limit, keys.model);
  if (cache)
    ctx.waitUntil(
      cache.put(
        key,
        new Response(JSON.stringify(recs), {
          headers: { 'content-type': 'application/json', 'cache-control': `max-age=${s.RECS_CACHE_TTL}` },
        }),
      ),
    );
  return json(200, recs, { 'X-Recs-Model': modelHeader, 'X-Recs-Cache': 'miss' });
});
