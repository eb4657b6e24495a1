/**
 * Versioned models in D1. A version is written completely while `building` (neighbour lists,
 * precomputed user lists and popularity lists, in chunks well under D1's row and statement
 * limits), then made `ready` and pointed at in one batch: serving reads either the old version or
 * the complete new one, never a half-written one. A failed write marks the version `failed` and
 * leaves the pointer where it was; old versions are pruned after the switch.
 */
import { newId } from '../../../lib/ids.ts';
import type { TrainedModel } from './trainer/model.ts';
import type { ModelType } from './trainer/recommender.ts';

export type PartKind = 'neighbours' | 'users' | 'popular';

const TABLE: Record<PartKind, { table: string; key: string }> = {
  neighbours: { table: 'model_neighbours', key: 'video_id' },
  users: { table: 'model_user_recs', key: 'user_id' },
  popular: { table: 'model_popular', key: 'genre' },
};

/** JSON text per insert statement: D1 caps a row at 2 MB and a batch's work, so stay far below. */
const CHUNK_CHARS = 400_000;
/** Statements per D1 batch. */
const BATCH = 8;

export interface VersionHeader {
  modelType: ModelType;
  source: 'worker' | 'import';
  trainedAt: number;
  dataUntil: number;
  stats: Record<string, number>;
  /** How many rows of each kind complete the version (checked before the switch). */
  expected: Record<PartKind, number>;
}

export async function beginVersion(db: D1Database, h: VersionHeader, now = Date.now()): Promise<string> {
  const versionId = newId('mdl', now);
  await db
    .prepare(
      `INSERT INTO model_versions (version_id, model_type, status, source, trained_at, data_until, stats, expected, created_at)
       VALUES (?, ?, 'building', ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      versionId,
      h.modelType,
      h.source,
      h.trainedAt,
      h.dataUntil,
      JSON.stringify(h.stats),
      JSON.stringify(h.expected),
      now,
    )
    .run();
  return versionId;
}

/**
 * Writes rows `[key, list]` of one kind in chunks: each statement inserts a whole JSON array
 * through json_each, so 10K neighbour lists are ~40 statements, not 10K.
 */
export async function writeRows(
  db: D1Database,
  versionId: string,
  kind: PartKind,
  rows: [string, unknown[]][],
): Promise<number> {
  const { table, key } = TABLE[kind];
  const sql = `INSERT OR REPLACE INTO ${table} (version_id, ${key}, list)
    SELECT ?, json_extract(value, '$[0]'), json(json_extract(value, '$[1]')) FROM json_each(?)`;
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flushChunk = () => {
    if (chunk.length) statements.push(db.prepare(sql).bind(versionId, `[${chunk.join(',')}]`));
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (size + text.length > CHUNK_CHARS) flushChunk();
    chunk.push(text);
    size += text.length + 1;
  }
  flushChunk();
  for (let s = 0; s < statements.length; s += BATCH) await db.batch(statements.slice(s, s + BATCH));
  return rows.length;
}

export class IncompleteModel extends Error {}

/**
 * Checks the version is complete and switches its type's pointer to it in one batch. The pointer
 * moves only if the version is still `building` (a concurrent activation or failure wins once).
 */
export async function activateVersion(db: D1Database, versionId: string, now = Date.now()): Promise<void> {
  const v = await db
    .prepare('SELECT model_type, status, expected FROM model_versions WHERE version_id = ?')
    .bind(versionId)
    .first<{ model_type: string; status: string; expected: string | null }>();
  if (!v) throw new IncompleteModel(`No model version ${versionId}.`);
  if (v.status !== 'building')
    throw new IncompleteModel(`Version ${versionId} is ${v.status}, not building.`);
  const expected = JSON.parse(v.expected ?? '{}') as Partial<Record<PartKind, number>>;
  const kinds = Object.keys(TABLE) as PartKind[];
  const counted = await db.batch<{ n: number }>(
    kinds.map((k) =>
      db.prepare(`SELECT count(*) AS n FROM ${TABLE[k].table} WHERE version_id = ?`).bind(versionId),
    ),
  );
  const short = kinds
    .map((k, i) => ({ k, have: counted[i]?.results[0]?.n ?? 0, want: expected[k] ?? 0 }))
    .filter((c) => c.have !== c.want);
  if (short.length)
    throw new IncompleteModel(
      `Version ${versionId} is incomplete: ${short.map((c) => `${c.k} ${c.have}/${c.want}`).join(', ')}.`,
    );
  // The pointer row only follows the status change made in the same transaction (finished_at = now).
  const [done] = await db.batch([
    db
      .prepare(
        "UPDATE model_versions SET status = 'ready', finished_at = ? WHERE version_id = ? AND status = 'building'",
      )
      .bind(now, versionId),
    db
      .prepare(
        `INSERT INTO active_models (model_type, version_id, switched_at)
         SELECT model_type, version_id, ? FROM model_versions WHERE version_id = ? AND status = 'ready' AND finished_at = ?
         ON CONFLICT (model_type) DO UPDATE SET version_id = excluded.version_id, switched_at = excluded.switched_at`,
      )
      .bind(now, versionId, now),
  ]);
  if (!done?.meta.changes) throw new IncompleteModel(`Version ${versionId} changed while it was activated.`);
}

export async function failVersion(db: D1Database, versionId: string, now = Date.now()): Promise<void> {
  await db
    .prepare(
      "UPDATE model_versions SET status = 'failed', finished_at = ? WHERE version_id = ? AND status = 'building'",
    )
    .bind(now, versionId)
    .run();
}

/** Writes a trained model as a new version and switches serving to it; serving is untouched on failure. */
export async function storeModel(
  db: D1Database,
  m: TrainedModel,
  source: VersionHeader['source'],
): Promise<string> {
  const versionId = await beginVersion(db, {
    modelType: m.modelType,
    source,
    trainedAt: Date.parse(m.trainedAt),
    dataUntil: Date.parse(m.dataUntil),
    stats: m.stats,
    expected: { neighbours: m.neighbours.length, users: m.users.length, popular: m.popular.length },
  });
  try {
    await writeRows(db, versionId, 'neighbours', m.neighbours);
    await writeRows(db, versionId, 'users', m.users);
    await writeRows(db, versionId, 'popular', m.popular);
    await activateVersion(db, versionId);
    return versionId;
  } catch (err) {
    await failVersion(db, versionId);
    throw err;
  }
}

/**
 * Deletes the rows of versions no pointer names, keeping the newest `keep` ready ones per type
 * (besides the active one) and anything still building (it may be an import in progress).
 */
export async function pruneVersions(db: D1Database, keep: number, now = Date.now()): Promise<number> {
  const { results } = await db
    .prepare(
      `SELECT v.version_id FROM model_versions v
       WHERE v.version_id NOT IN (SELECT version_id FROM active_models)
         AND (v.status IN ('failed', 'retired')
           OR (v.status = 'building' AND v.created_at < ?)
           OR (v.status = 'ready' AND (
             SELECT count(*) FROM model_versions n WHERE n.model_type = v.model_type AND n.status = 'ready'
               AND n.created_at > v.created_at AND n.version_id NOT IN (SELECT version_id FROM active_models)) >= ?))`,
    )
    .bind(now - 24 * 3600_000, keep)
    .all<{ version_id: string }>();
  for (const { version_id } of results) {
    await db.batch([
      db.prepare('DELETE FROM model_neighbours WHERE version_id = ?').bind(version_id),
      db.prepare('DELETE FROM model_user_recs WHERE version_id = ?').bind(version_id),
      db.prepare('DELETE FROM model_popular WHERE version_id = ?').bind(version_id),
      db.prepare('DELETE FROM model_versions WHERE version_id = ?').bind(version_id),
    ]);
  }
  return results.length;
}
