/**
 * A full rebuild of the index from the videos service, for recovery: pages of videos over RPC
 * (catalogPage), each indexed as a snapshot at its last change; when the last page is in, indexed
 * videos the source no longer has are removed. The state lives in index_state, so a rebuild that
 * outlives one invocation goes on at the next minute's cron, from its cursor.
 */
import { log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import { settings } from './config.ts';
import { applyDelete, applyMetadata, DELETED, RANK, versionOf } from './search/indexer.ts';

export interface RebuildState {
  rebuildId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  indexed: number;
  running: boolean;
}

export interface VideoPage {
  items: {
    videoId: string;
    title: string;
    description: string;
    tags: string[];
    genres: string[];
    releaseYear?: number;
    status: string;
    updatedAt: string;
  }[];
  next: string | null;
}

/** Where a rebuild reads from: the videos service in production, anything with the same shape in tests. */
export interface VideoSource {
  catalogPage(cursor: string | null, limit: number): Promise<VideoPage>;
}

interface StateRow {
  rebuild_id: string | null;
  rebuild_cursor: string | null;
  rebuild_started_at: string | null;
  rebuild_indexed: number;
  rebuild_finished_at: string | null;
}

export async function rebuildState(db: D1Database): Promise<RebuildState> {
  const row = await db
    .prepare(
      'SELECT rebuild_id, rebuild_cursor, rebuild_started_at, rebuild_indexed, rebuild_finished_at FROM index_state WHERE id = 1',
    )
    .first<StateRow>();
  return {
    rebuildId: row?.rebuild_id ?? null,
    startedAt: row?.rebuild_started_at ?? null,
    finishedAt: row?.rebuild_finished_at ?? null,
    indexed: row?.rebuild_indexed ?? 0,
    running: Boolean(row?.rebuild_id && !row.rebuild_finished_at),
  };
}

/** Starts a rebuild unless one is running; answers the state either way. */
export async function startRebuild(db: D1Database): Promise<RebuildState> {
  const id = crypto.randomUUID();
  await db
    .prepare(
      `UPDATE index_state SET rebuild_id = ?, rebuild_cursor = NULL, rebuild_started_at = ?, rebuild_indexed = 0,
         rebuild_finished_at = NULL
       WHERE id = 1 AND (rebuild_id IS NULL OR rebuild_finished_at IS NOT NULL)`,
    )
    .bind(id, new Date().toISOString())
    .run();
  return rebuildState(db);
}

/**
 * Works on the running rebuild until it is done or `budgetMs` has passed; answers whether it is done.
 * Each page is saved with its cursor before the next is read, so a stop loses at most one page's work.
 */
export async function continueRebuild(env: Env, source: VideoSource, budgetMs = 20_000): Promise<boolean> {
  const db = env.DB;
  const until = Date.now() + budgetMs;
  // Two invocations on one rebuild would read the same pages twice: the second one leaves it be.
  const lease = await db
    .prepare(
      `UPDATE index_state SET rebuild_lease_until = ? WHERE id = 1 AND rebuild_id IS NOT NULL
         AND rebuild_finished_at IS NULL AND (rebuild_lease_until IS NULL OR rebuild_lease_until < ?)`,
    )
    .bind(new Date(until + 30_000).toISOString(), new Date().toISOString())
    .run();
  if (!lease.meta.changes) return (await rebuildState(db)).running === false;
  try {
    return await rebuildPages(env, source, until);
  } finally {
    await db.prepare('UPDATE index_state SET rebuild_lease_until = NULL WHERE id = 1').run();
  }
}

async function rebuildPages(env: Env, source: VideoSource, until: number): Promise<boolean> {
  const db = env.DB;
  const pageSize = settings(env).REBUILD_PAGE_SIZE;
  for (;;) {
    const row = await db
      .prepare(
        'SELECT rebuild_id, rebuild_cursor, rebuild_started_at, rebuild_indexed, rebuild_finished_at FROM index_state WHERE id = 1',
      )
      .first<StateRow>();
    if (!row?.rebuild_id || row.rebuild_finished_at) return true;
    if (Date.now() > until) return false;
    const page = await source.catalogPage(row.rebuild_cursor, pageSize);
    await applyMetadata(
      db,
      page.items.map((v) => ({
        doc: v,
        version: versionOf(v.updatedAt, RANK.snapshot),
        mark: row.rebuild_id!,
      })),
    );
    if (page.next) {
      await db
        .prepare(
          'UPDATE index_state SET rebuild_cursor = ?, rebuild_indexed = rebuild_indexed + ? WHERE id = 1 AND rebuild_id = ?',
        )
        .bind(page.next, page.items.length, row.rebuild_id)
        .run();
      continue;
    }
    const removed = await removeVanished(db, row.rebuild_id, row.rebuild_started_at!);
    await db
      .prepare(
        'UPDATE index_state SET rebuild_cursor = NULL, rebuild_indexed = rebuild_indexed + ?, rebuild_finished_at = ? WHERE id = 1 AND rebuild_id = ?',
      )
      .bind(page.items.length, new Date().toISOString(), row.rebuild_id)
      .run();
    log('info', 'index rebuilt', {
      rebuildId: row.rebuild_id,
      indexed: row.rebuild_indexed + page.items.length,
      removed,
    });
    return true;
  }
}

/** Indexed videos the rebuild did not meet and no event has touched since it began. */
async function removeVanished(db: D1Database, rebuildId: string, startedAt: string): Promise<number> {
  let removed = 0;
  for (;;) {
    const { results } = await db
      .prepare(
        `SELECT video_id FROM docs WHERE status <> '${DELETED}' AND (rebuild_mark IS NULL OR rebuild_mark <> ?)
           AND meta_version < ? AND status_version < ? LIMIT 200`,
      )
      .bind(rebuildId, startedAt, startedAt)
      .all<{ video_id: string }>();
    if (!results.length) return removed;
    for (const r of results) await applyDelete(db, r.video_id, versionOf(startedAt, RANK.deleted));
    removed += results.length;
  }
}
