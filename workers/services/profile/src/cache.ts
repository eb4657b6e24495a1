/**
 * Hot lists (watchlist, history, continue watching) cached in KV for five minutes, and every user
 * reading their own writes at once.
 *
 * Each user has a version in D1 (`cache_versions`), bumped in the same batch as every change to
 * their lists — by their own writes and by video events that touch their lists — so a change and
 * its bump commit together or not at all. A cache key carries the version read before the list
 * is loaded, so an entry never holds data older than its key's version, and a reader after a
 * write asks for a key that no older entry can have. KV entries are written once and never changed:
 * KV's eventual consistency can cost a miss, never a stale answer. Old versions expire on their own.
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

/** A page of a user's list, from KV when it holds this version, else loaded and kept there. */
export async function cachedPage<T>(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  kind: ListKind,
  userId: string,
  paging: { page: number; limit: number },
  load: () => Promise<Page<T>>,
): Promise<Page<T> & { hit: boolean }> {
  const row = await env.DB.prepare('SELECT version FROM cache_versions WHERE user_id = ?')
    .bind(userId)
    .first<{ version: number }>();
  const key = `${kind}:${userId}:v${row?.version ?? 0}:${paging.page}:${paging.limit}`;
  try {
    const cached = await env.CACHE.get<Page<T>>(key, 'json');
    if (cached) return { ...cached, hit: true };
  } catch (err) {
    // A KV outage costs speed, not answers.
    log('warn', 'profile cache read failed', { key, ...errorFields(err) });
  }
  const page = await load();
  ctx.waitUntil(
    env.CACHE.put(key, JSON.stringify(page), { expirationTtl: CACHE_TTL_SECONDS }).catch((err) =>
      log('warn', 'profile cache write failed', { key, ...errorFields(err) }),
    ),
  );
  return { ...page, hit: false };
}
