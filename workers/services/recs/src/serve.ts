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
  // Everything the ranking needs in one round trip: each statement selects from the user's own
  // rows, so the newer-than-the-model test, the favourite genre and readiness run inside SQLite.
  const [history, userList, neighbourRows, popularRows, factRows] = await db.batch([
    db.prepare('SELECT video_id FROM interactions WHERE user_id = ?').bind(userId),
    db.prepare('SELECT list FROM model_user_recs WHERE version_id = ? AND user_id = ?').bind(v, userId),
    db
      .prepare(
        `SELECT f.video_id, f.weight, n.list FROM (${FRESH}) f
         JOIN model_neighbours n ON n.version_id = ?1 AND n.video_id = f.video_id`,
      )
      .bind(v, userId),
    db
      .prepare(
        `SELECT genre, list FROM model_popular WHERE version_id = ?1 AND genre IN ('', ${FAVOURITE_GENRE})`,
      )
      .bind(v, userId),
    db.prepare(FACTS).bind(v, userId),
  ]);
  const excluded = new Set(((history?.results ?? []) as { video_id: string }[]).map((h) => h.video_id));
  const precomputed = (userList?.results[0] as { list: string } | undefined)?.list;
  const notReady = new Set<string>();
  const titles = new Map<string, string>();
  for (const f of (factRows?.results ?? []) as { video_id: string; title: string | null }[]) {
    if (f.title === null) notReady.add(f.video_id);
    else titles.set(f.video_id, f.title);
  }

  const candidates = new Map<string, Candidate>();
  if (precomputed) addList(candidates, JSON.parse(precomputed) as [string, number, string][], 1, 'f');
  for (const row of (neighbourRows?.results ?? []) as { video_id: string; weight: number; list: string }[]) {
    const w = row.weight / 4;
    addList(
      candidates,
      JSON.parse(row.list) as [string, number][],
      precomputed ? w : 1 + w,
      `w:${row.video_id}`,
    );
  }
  for (const row of (popularRows?.results ?? []) as { genre: string; list: string }[]) {
    // Popularity ranks below anything personal: it fills, it does not reorder.
    addList(
      candidates,
      JSON.parse(row.list) as [string, number][],
      0.05,
      row.genre ? `pg:${row.genre}` : 'p',
    );
  }
  for (const id of excluded) candidates.delete(id);
  for (const id of notReady) candidates.delete(id);

  const ranked = [...candidates.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  const out: Rec[] = ranked.map(([videoId, c]) => ({
    videoId,
    score: Math.round(c.score * 1e4) / 1e4,
    reason: c.reason,
  }));
  if (out.length < limit) await topUpLive(db, out, excluded, limit);
  return out.map((r) => ({ ...r, reason: describe(r.reason, titles) }));
}

/**
 * The user's interactions the model has not seen (all of them for a user it has no list for):
 * the newest liked ones, expanded through their neighbours. None newer → no neighbour list is read.
 * Binds ?1 = model version, ?2 = user.
 */
const FRESH = `SELECT video_id, weight FROM interactions
  WHERE user_id = ?2 AND weight > 0 AND (
    NOT EXISTS (SELECT 1 FROM model_user_recs WHERE version_id = ?1 AND user_id = ?2)
    OR updated_at > coalesce((SELECT data_until FROM model_versions WHERE version_id = ?1), 0))
  ORDER BY updated_at DESC LIMIT ${BLEND_RECENT}`;

/** The genre the user likes most ('' when none), for "popular in <genre>". */
const FAVOURITE_GENRE = `coalesce((
  SELECT g.value FROM interactions i JOIN videos v ON v.video_id = i.video_id, json_each(v.genres) g
  WHERE i.user_id = ?2 AND i.weight > 0 GROUP BY g.value ORDER BY sum(i.weight) DESC LIMIT 1), '')`;

/**
 * The compact facts the ranking filters and explains with: every candidate of the lists above
 * that is not a ready video (title NULL), and the titles of the videos reasons name.
 */
const FACTS = `WITH fresh AS (${FRESH}),
  lists(list) AS (
    SELECT list FROM model_user_recs WHERE version_id = ?1 AND user_id = ?2
    UNION ALL SELECT n.list FROM fresh f JOIN model_neighbours n ON n.version_id = ?1 AND n.video_id = f.video_id
    UNION ALL SELECT list FROM model_popular WHERE version_id = ?1 AND genre IN ('', ${FAVOURITE_GENRE})),
  candidates(id, because) AS (SELECT j.value ->> 0, j.value ->> 2 FROM lists, json_each(lists.list) j)
  SELECT DISTINCT id AS video_id, NULL AS title FROM candidates c WHERE NOT EXISTS (
    SELECT 1 FROM videos v WHERE v.video_id = c.id AND v.status = 'ready' AND v.deleted = 0)
  UNION ALL
  SELECT video_id, title FROM videos WHERE video_id IN (
    SELECT substr(because, 3) FROM candidates WHERE because LIKE 'w:%' UNION SELECT video_id FROM fresh)`;

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
