/**
 * Search answers in the edge cache (the Cache API of the data centre that serves the request). The
 * key carries the index version, which every change to the index bumps, so an answer is never
 * served after the index has changed under it; the TTL bounds what a version does not cover
 * (popularity moving with every watch) and lets old versions expire.
 */

const ORIGIN = 'https://catalog.cache.internal';

export async function indexVersion(db: D1Database): Promise<number> {
  const row = await db.prepare('SELECT version FROM index_state WHERE id = 1').first<{ version: number }>();
  return row?.version ?? 0;
}

/** A key for a canonical form of the options (so `?a&b` and `?b&a` share an entry). */
export function cacheKey(version: number, options: Record<string, unknown>): Request {
  const canonical = JSON.stringify(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));
  return new Request(`${ORIGIN}/search/v${version}?o=${encodeURIComponent(canonical)}`);
}

function edgeCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : caches.default;
}

export async function cached<T>(key: Request): Promise<T | undefined> {
  try {
    const hit = await edgeCache()?.match(key);
    return hit ? ((await hit.json()) as T) : undefined;
  } catch {
    // The cache is an optimisation: failing to read it means searching.
    return undefined;
  }
}

export async function store(key: Request, value: unknown, ttlSeconds: number): Promise<void> {
  if (ttlSeconds <= 0) return;
  try {
    await edgeCache()?.put(
      key,
      new Response(JSON.stringify(value), {
        headers: { 'content-type': 'application/json', 'cache-control': `public, max-age=${ttlSeconds}` },
      }),
    );
  } catch {
    // Not caching is always correct.
  }
}
