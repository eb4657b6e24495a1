import { implement, isAdmin } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import { searchVideos } from '../contract.ts';
import { cached, cacheKey, indexVersion, store } from '../search/cache.ts';
import { type SearchResult, search } from '../search/search.ts';

export const searchHandler = implement(searchVideos, async (input, caller, env: Env, ctx) => {
  const { q, genre, year, status, facets, page, limit } = input.query;
  if (status === 'any' && !isAdmin(caller)) throw Problem.forbidden('Only admins may search every status.');
  const options = {
    q,
    genres: genre ?? [],
    ...(year ? { years: year } : {}),
    status,
    page,
    limit,
    facets: Boolean(facets),
  };
  const key = cacheKey(await indexVersion(env.DB), options);
  let result = await cached<SearchResult>(key);
  const hit = Boolean(result);
  if (!result) {
    result = await search(env.DB, options);
    ctx.waitUntil(store(key, result, settings(env).SEARCH_CACHE_SECONDS));
  }
  const headers: Record<string, string> = { 'X-Search-Cache': hit ? 'hit' : 'miss' };
  if (result.facets) {
    const wanted = new Set(facets!.split(',').map((s) => s.trim()));
    headers['X-Facets'] = JSON.stringify(
      Object.fromEntries(Object.entries(result.facets).filter(([k]) => wanted.has(k))),
    );
  }
  return { status: 200, body: result.hits, total: result.total, headers };
});
