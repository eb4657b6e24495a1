/**
 * Answers GET /recs/{userId}: the user's precomputed list from the serving model, blended with
 * neighbours of interactions newer than the model, filtered to ready videos the user has not
 * rated, finished or removed, topped up with popular videos (per genre the user likes, then
 * overall, then live popularity) so the answer is never empty while ready videos exist.
 */
import { CATALOG_KEY } from './interactions.ts';
import type { ModelType } from './trainer/recommender.ts';

export interface Rec {
  videoId: string;
  score: number;
  reason: string;
}

export interface ServingKeys {
  userVersion: number;
  catalogVersion: number;
  /** The version serving answers from, or null when no model is active yet. */
  model: { type: ModelType; versionId: string } | null;
}

/** How many of the newest interactions the blend expands through neighbour lists. */
const BLEND_RECENT = 5;

/**
 * The cache key parts in one round trip: the user's and the catalogue's versions and the pointer
 * of the wanted model type (or the most recently switched one when that type has none).
 */
export async function servingKeys(db: D1Database, userId: string, wanted: ModelType): Promise<ServingKeys> {
  const row = await db
    .prepare(
      `SELECT
         (SELECT version FROM user_versions WHERE user_id = ?1) AS uv,
         (SELECT version FROM user_versions WHERE user_id = ?2) AS cv,
         (SELECT model_type || ' ' || version_id FROM active_models
            ORDER BY model_type = ?3 DESC, switched_at DESC LIMIT 1) AS model`,
    )
    .bind(userId, CATALOG_KEY, wanted)
    .first<{ uv: number | null; cv: number | null; model: string | null }>();
  const [type, versionId] = row?.model?.split(' ') ?? [];
  return {
    userVersion: row?.uv ?? 0,
    catalogVersion: row?.cv ?? 0,
    model: type && versionId ? { type: type as ModelType, versionId } : null,
  };
}

interface Candidate {
  score: number;
  reason: string;
}

interface History {
  video_id: string;
  weight: number;
  finished: number;
  rating: number | null;
  removed: number;
  updated_at: number;
}

function add(into: Map<string, Candidate>, videoId: string, score: number, reason: string) {
  const c = into.get(videoId);
  if (!c) into.set(videoId, { score, reason });
  else {
    // Keep the reason of the strongest contribution.
    if (score > c.score && reason !== c.reason) c.reason = reason;
    c.score += score;
  }
}

/** Adds a list of [videoId, score, reason?] scaled so its best entry scores `weight`. */
function addList(
  into: Map<string, Candidate>,
  list: [string, number, string?][],
  weight: number,
  reason: string,
) {
  const top = list[0]?.[1] || 1;
  for (const [id, score, why] of list) add(into, id, (weight * score) / top, why ?? reason);
}

export async function computeRecs(
  db: D1Database,
  userId: string,
  limit: number,
  model: ServingKeys['model'],
): Promise<Rec[]> {
  const v = model?.versionId ?? '';
  const [history, userList, version] = await db.batch([
    db
      .prepare(
        'SELECT video_id, weight, finished, rating, removed, updated_at FROM interactions WHERE user_id = ? ORDER BY updated_at DESC',
      )
      .bind(userId),
    db.prepare('SELECT list FROM model_user_recs WHERE version_id = ? AND user_id = ?').bind(v, userId),
    db.prepare('SELECT data_until FROM model_versions WHERE version_id = ?').bind(v),
  ]);
  const seen = (history?.results ?? []) as unknown as History[];
  const precomputed = (userList?.results[0] as { list: string } | undefined)?.list;
  const dataUntil = (version?.results[0] as { data_until: number } | undefined)?.data_until ?? 0;

  const candidates = new Map<string, Candidate>();
  if (precomputed) addList(candidates, JSON.parse(precomputed) as [string, number, string][], 1, 'f');

  // Interactions the model has not seen: expand the newest liked ones through their neighbours.
  const fresh = seen
    .filter((h) => h.weight > 0 && (!precomputed || h.updated_at > dataUntil))
    .slice(0, BLEND_RECENT);
  const [neighbourRows, genreRows] = await db.batch([
    db
      .prepare(
        'SELECT video_id, list FROM model_neighbours WHERE version_id = ? AND video_id IN (SELECT value FROM json_each(?))',
      )
      .bind(v, JSON.stringify(fresh.map((h) => h.video_id))),
    // The genre the user likes most, for "popular in <genre>".
    db
      .prepare(
        `SELECT g.value AS genre, sum(i.weight) AS w FROM interactions i JOIN videos v ON v.video_id = i.video_id,
           json_each(v.genres) g WHERE i.user_id = ? AND i.weight > 0 GROUP BY g.value ORDER BY w DESC LIMIT 1`,
      )
      .bind(userId),
  ]);
  const weightOf = new Map(fresh.map((h) => [h.video_id, h.weight]));
  for (const row of (neighbourRows?.results ?? []) as { video_id: string; list: string }[]) {
    const w = (weightOf.get(row.video_id) ?? 1) / 4;
    addList(
      candidates,
      JSON.parse(row.list) as [string, number][],
      precomputed ? w : 1 + w,
      `w:${row.video_id}`,
    );
  }
  const genre = (genreRows?.results[0] as { genre: string } | undefined)?.genre;

  const excluded = new Set(seen.map((h) => h.video_id));
  const popular = await db
    .prepare('SELECT genre, list FROM model_popular WHERE version_id = ? AND genre IN (?, ?)')
    .bind(v, '', genre ?? '')
    .all<{ genre: string; list: string }>();
  for (const row of popular.results) {
    // Popularity ranks below anything personal: it fills, it does not reorder.
    addList(
      candidates,
      JSON.parse(row.list) as [string, number][],
      0.05,
      row.genre ? `pg:${row.genre}` : 'p',
    );
  }
  for (const id of excluded) candidates.delete(id);

  const ranked = [...candidates.entries()].sort((a, b) => b[1].score - a[1].score);
  const ready = await readyVideos(
    db,
    ranked.slice(0, Math.max(limit * 4, 100)).map(([id]) => id),
  );
  const out: Rec[] = [];
  for (const [videoId, c] of ranked) {
    if (out.length >= limit) break;
    if (!ready.has(videoId)) continue;
    out.push({ videoId, score: Math.round(c.score * 1e4) / 1e4, reason: c.reason });
  }
  if (out.length < limit) await topUpLive(db, out, excluded, limit);
  const titles = await titlesOf(
    db,
    out
      .map((r) => r.reason)
      .filter((r) => r.startsWith('w:'))
      .map((r) => r.slice(2)),
  );
  return out.map((r) => ({ ...r, reason: describe(r.reason, titles) }));
}

async function readyVideos(db: D1Database, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { results } = await db
    .prepare(
      "SELECT video_id FROM videos WHERE status = 'ready' AND deleted = 0 AND video_id IN (SELECT value FROM json_each(?))",
    )
    .bind(JSON.stringify(ids))
    .all<{ video_id: string }>();
  return new Set(results.map((r) => r.video_id));
}

/**
 * The last resort, live from the store: ready videos by how much they were liked, newest first
 * among equals. It only runs when the model's lists ran dry (cold platform, tiny catalogue).
 */
async function topUpLive(db: D1Database, out: Rec[], excluded: Set<string>, limit: number): Promise<void> {
  const skip = JSON.stringify([...excluded, ...out.map((r) => r.videoId)]);
  const { results } = await db
    .prepare(
      `SELECT v.video_id, coalesce((SELECT sum(weight) FROM interactions i WHERE i.video_id = v.video_id), 0) AS pop
       FROM videos v WHERE v.status = 'ready' AND v.deleted = 0 AND v.video_id NOT IN (SELECT value FROM json_each(?))
       ORDER BY pop DESC, v.updated_at DESC LIMIT ?`,
    )
    .bind(skip, limit - out.length)
    .all<{ video_id: string; pop: number }>();
  for (const r of results) out.push({ videoId: r.video_id, score: 0, reason: 'p' });
}

async function titlesOf(db: D1Database, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const { results } = await db
    .prepare('SELECT video_id, title FROM videos WHERE video_id IN (SELECT value FROM json_each(?))')
    .bind(JSON.stringify([...new Set(ids)]))
    .all<{ video_id: string; title: string }>();
  return new Map(results.map((r) => [r.video_id, r.title]));
}

/** Reason codes (see trainer/recommender.ts) in words. */
export function describe(code: string, titles: Map<string, string>): string {
  if (code.startsWith('w:')) {
    const title = titles.get(code.slice(2));
    return title ? `Because you watched ${title}` : 'Because of what you watched';
  }
  if (code.startsWith('g:')) return `Because you like ${code.slice(2)}`;
  if (code.startsWith('pg:')) return `Popular in ${code.slice(3)}`;
  if (code === 'p') return 'Popular right now';
  return 'Picked for you';
}
