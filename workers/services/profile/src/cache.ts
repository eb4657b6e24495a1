/**
 * Hot lists (watchlist, history, continue watching) cached in KV for five minutes, and every user
 * reading their own writes at once.
 *
 * Each user has a version in D1 (`cache_versions`), bumped in the same batch as every change to
 * their lists — by their own writes and by video events that touch their lists — so a change and
 * its bump commit together or not at all. A cached page is stored with the version read before it
 * was loaded (so it holds data at least that new), and is served only while that is still the
 * user's version in D1: the first read after a write misses and loads afresh. The version and the
 * page are read concurrently, so a hit costs one round trip. KV's eventual consistency (an older
 * page still visible elsewhere) can only cost a miss, never a stale answer.
 */
import { sql } from 'drizzle-orm';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import type { Db } from './db/client.ts';
import { cacheVersions } from './db/schema.ts';

export const CACHE_TTL_SECONDS = 5 * 60;

export type ListKind = 'watchlist' | 'history' | 'continue-watching';

export interface Page<T> {
  items: T[];
  total: number;
}

/** The statement that moves a user's cached lists to a new version; put it in the change's batch. */
export function bumpVersion(db: Db, userId: string) {
  return db
    .insert(cacheVersions)
    .values({ userId, version: 1 })
    .onConflictDoUpdate({
      target: cacheVersions.userId,
      set: { version: sql`${cacheVersions.version} + 1` },
    });
}

/** The same for every user whose watchlist or history holds a video (its title or duration changed). */
export function bumpVersionsOfVideo(db: Db, videoId: string) {
  return db
    .insert(cacheVersions)
    .select(sql`SELECT user_id, 1 FROM (
      SELECT user_id FROM watchlist WHERE video_id = ${videoId}
      UNION SELECT user_id FROM history WHERE video_id = ${videoId}
    ) WHERE true`)
    .onConflictDoUpdate({ target: cacheVersions.userId, set: { version: sql`cache_versions.version + 1` } });
}

interface Entry<T> extends Page<T> {
  version: number;
}

/** A page of a user's list, from KV when it was stored at the user's current version, else loaded. */
export async function cachedPage<T>(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  kind: ListKind,
  userId: string,
  paging: { page: number; limit: number },
  load: () => Promise<Page<T>>,
): Promise<Page<T> & { hit: boolean }> {
  const key = `${kind}:${userId}:${paging.page}:${paging.limit}`;
  const [row, cached] = await Promise.all([
    env.DB.prepare('SELECT version FROM cache_versions WHERE user_id = ?')
      .bind(userId)
      .first<{ version: number }>(),
    env.CACHE.get<Entry<T>>(key, 'json').catch((err) => {
      // A KV outage costs speed, not answers.
      log('warn', 'profile cache read failed', { key, ...errorFields(err) });
      return null;
    }),
  ]);
  const version = row?.version ?? 0;
  if (cached && cached.version === version) return { items: cached.items, total: cached.total, hit: true };
  const page = await load();
  const entry: Entry<T> = { version, ...page };
  ctx.waitUntil(
    env.CACHE.put(key, JSON.stringify(entry), { expirationTtl: CACHE_TTL_SECONDS }).catch((err) =>
      log('warn', 'profile cache write failed', { key, ...errorFields(err) }),
    ),
  );
  return { ...page, hit: false };
}

/** The reply of a cached list route: a page, its total, and whether KV answered it (`X-Cache`). */
export async function cachedListReply<T, P extends { page: number; limit: number }>(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  kind: ListKind,
  userId: string,
  paging: P,
  load: (env: Env, userId: string, paging: P) => Promise<Page<T>>,
) {
  const page = await cachedPage(env, ctx, kind, userId, paging, () => load(env, userId, paging));
  return {
    status: 200 as const,
    body: page.items,
    total: page.total,
    headers: { 'X-Cache': page.hit ? 'hit' : 'miss' },
  };
}
