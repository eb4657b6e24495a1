/**
 * Implicit feedback from the platform's events. Each (user, video) keeps the latest state of every
 * signal and a weight derived from them in SQL, so applying an event twice changes nothing:
 * finished (4) > rated 5 (3.5) > rated 4 (3) > watchlisted (2) > rated 3 (1.5) > started (1);
 * a rating of 2 or 1 counts against the video (−1, −2) whatever else happened.
 */

/** The SQL weight of a row, from its signal columns (the trainer's ratingWeight uses the same scale). */
const WEIGHT = `CASE WHEN rating IS NOT NULL AND rating <= 2 THEN (CASE rating WHEN 1 THEN -2 ELSE -1 END)
  ELSE max(CASE WHEN finished = 1 THEN 4 ELSE 0 END,
           CASE rating WHEN 5 THEN 3.5 WHEN 4 THEN 3 WHEN 3 THEN 1.5 ELSE 0 END,
           CASE WHEN watchlisted = 1 THEN 2 ELSE 0 END,
           CASE WHEN started = 1 THEN 1 ELSE 0 END) END`;

/** The logical queue the consumer records processed ids under (queues/routing.ts). */
const QUEUE = 'recs-events';

/** The pseudo-user whose version moves with the catalogue, so cached lists drop removed videos. */
export const CATALOG_KEY = '~catalog';

export type Signal =
  | { kind: 'watched'; progress: number; completed: boolean }
  | { kind: 'rated'; rating: number }
  | { kind: 'watchlist'; added: boolean }
  | { kind: 'started' };

/** Column updates per signal; each is idempotent (max, or set to a value). */
function patch(s: Signal): { sets: string; binds: unknown[]; insert: Record<string, unknown> } {
  switch (s.kind) {
    case 'watched':
      return {
        sets: 'started = 1, progress = max(progress, ?), finished = max(finished, ?)',
        binds: [s.progress, s.completed ? 1 : 0],
        insert: { started: 1, progress: s.progress, finished: s.completed ? 1 : 0 },
      };
    case 'rated':
      return { sets: 'rating = ?', binds: [s.rating], insert: { rating: s.rating } };
    case 'watchlist':
      return {
        sets: 'watchlisted = ?, removed = ?',
        binds: [s.added ? 1 : 0, s.added ? 0 : 1],
        insert: { watchlisted: s.added ? 1 : 0, removed: s.added ? 0 : 1 },
      };
    case 'started':
      return { sets: 'started = 1', binds: [], insert: { started: 1 } };
  }
}

export function bumpVersion(db: D1Database, key: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO user_versions (user_id, version, updated_at) VALUES (?, 1, ?)
       ON CONFLICT (user_id) DO UPDATE SET version = version + 1, updated_at = excluded.updated_at`,
    )
    .bind(key, now);
}

/** The statement recording `eventId` as processed, in the same batch as its effect. */
export function markProcessed(db: D1Database, eventId: string): D1PreparedStatement {
  return db
    .prepare('INSERT OR IGNORE INTO _events_processed (event_id, queue, processed_at) VALUES (?, ?, ?)')
    .bind(eventId, QUEUE, new Date().toISOString());
}

/**
 * Applies one signal of `userId` about `videoId` at `at` (ms), with the processed-id record and
 * the user's cache version in one transaction.
 */
export async function recordSignal(
  db: D1Database,
  eventId: string,
  userId: string,
  videoId: string,
  signal: Signal,
  at: number,
): Promise<void> {
  const p = patch(signal);
  const cols = {
    progress: 0,
    finished: 0,
    started: 0,
    rating: null,
    watchlisted: 0,
    removed: 0,
    ...p.insert,
  };
  await db.batch([
    db
      .prepare(
        `INSERT INTO interactions (user_id, video_id, weight, progress, finished, started, rating, watchlisted, removed, updated_at)
         VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, video_id) DO UPDATE SET ${p.sets}, updated_at = max(updated_at, ?)`,
      )
      .bind(
        userId,
        videoId,
        cols.progress,
        cols.finished,
        cols.started,
        cols.rating,
        cols.watchlisted,
        cols.removed,
        at,
        ...p.binds,
        at,
      ),
    db
      .prepare(`UPDATE interactions SET weight = ${WEIGHT} WHERE user_id = ? AND video_id = ?`)
      .bind(userId, videoId),
    bumpVersion(db, userId, Date.now()),
    markProcessed(db, eventId),
  ]);
}

/** Every interaction for training: (user, video, weight, time) of videos not deleted. */
export async function loadInteractions(db: D1Database, limit: number) {
  return db
    .prepare(
      `SELECT i.user_id AS u, i.video_id AS v, i.weight AS w, i.updated_at AS t FROM interactions i
       WHERE NOT EXISTS (SELECT 1 FROM videos d WHERE d.video_id = i.video_id AND d.deleted = 1)
       LIMIT ?`,
    )
    .bind(limit + 1)
    .raw<[string, string, number, number]>();
}
