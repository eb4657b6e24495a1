import { type Aggregate, type EventStore, quantileExact, type ViewStats } from './store.ts';

/** Rows per INSERT: one JSON parameter each, well under D1's parameter size limit. */
const CHUNK = 250;

const INSERT = `INSERT OR IGNORE INTO analytics_events
  (event_id, event_type, user_id, video_id, view_id, time_ms, source, watch_ms, rebuffer_ms, metadata, received_ms)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
         value ->> 7, value ->> 8, value ->> 9, value ->> 10
  FROM json_each(?)`;

interface ViewRow {
  start_ms: number;
  user_id: string;
  playing_ms: number | null;
  watch_ms: number;
  rebuffer_ms: number;
  failed: number;
  ended: number;
}

export function d1Store(db: D1Database): EventStore {
  return {
    kind: 'd1',

    async insert(rows) {
      if (!rows.length) return;
      const statements: D1PreparedStatement[] = [];
      for (let i = 0; i < rows.length; i += CHUNK) {
        const tuples = rows
          .slice(i, i + CHUNK)
          .map((r) => [
            r.eventId,
            r.eventType,
            r.userId,
            r.videoId,
            r.viewId,
            r.timeMs,
            r.source,
            r.watchMs,
            r.rebufferMs,
            r.metadata,
            r.receivedMs,
          ]);
        statements.push(db.prepare(INSERT).bind(JSON.stringify(tuples)));
      }
      await db.batch(statements);
    },

    async forgetUser(userId, pseudonym) {
      await db
        .prepare(
          'UPDATE analytics_events SET user_id = ?, metadata = replace(metadata, ?, ?) WHERE user_id = ?',
        )
        .bind(pseudonym, JSON.stringify(userId), JSON.stringify(pseudonym), userId)
        .run();
    },

    async countEvents(q, types) {
      const video = q.videoId === undefined ? '' : 'AND video_id = ?';
      const { results } = await db
        .prepare(
          `SELECT time_ms - time_ms % ? AS t, COUNT(*) AS n FROM analytics_events
           WHERE event_type IN (${types.map(() => '?').join(', ')}) AND time_ms >= ? AND time_ms < ? ${video}
           GROUP BY t ORDER BY t`,
        )
        .bind(q.width, ...types, q.from, q.to, ...(q.videoId === undefined ? [] : [q.videoId]))
        .all<{ t: number; n: number }>();
      const buckets = new Map(results.map((r) => [r.t, r.n]));
      return { total: results.reduce((s, r) => s + r.n, 0), buckets };
    },

    async viewStats(q) {
      const video = q.videoId === undefined ? '' : 'AND video_id = ?';
      // One row per view that started in the range; its user is the viewStart's (the earliest).
      const { results } = await db
        .prepare(
          `SELECT
             MIN(CASE WHEN event_type = 'viewStart' THEN time_ms END) AS start_ms,
             substr(MIN(CASE WHEN event_type = 'viewStart' THEN printf('%016d', time_ms) || user_id END), 17) AS user_id,
             MIN(CASE WHEN event_type = 'playing' THEN time_ms END) AS playing_ms,
             COALESCE(MAX(CASE WHEN event_type = 'viewEnd' THEN watch_ms END), 0) AS watch_ms,
             COALESCE(SUM(CASE WHEN event_type = 'rebuffer.end' THEN rebuffer_ms END), 0) AS rebuffer_ms,
             MAX(event_type = 'error') AS failed,
             MAX(event_type = 'viewEnd') AS ended
           FROM analytics_events
           WHERE view_id != '' AND time_ms >= ? AND time_ms < ? ${video}
           GROUP BY view_id
           HAVING start_ms IS NOT NULL`,
        )
        .bind(q.from, q.to, ...(q.videoId === undefined ? [] : [q.videoId]))
        .all<ViewRow>();
      return aggregateViews(results, q.width);
    },
  };
}

/** Folds view rows into per-bucket and whole-range statistics (the ClickHouse query's definitions). */
export function aggregateViews(views: ViewRow[], width: number): Aggregate<ViewStats> {
  const byBucket = new Map<number, ViewRow[]>();
  for (const v of views) {
    const t = Math.floor(v.start_ms / width) * width;
    const list = byBucket.get(t);
    if (list) list.push(v);
    else byBucket.set(t, [v]);
  }
  const buckets = new Map<number, ViewStats>();
  for (const [t, list] of [...byBucket].sort((a, b) => a[0] - b[0])) buckets.set(t, stats(list));
  return { total: stats(views), buckets };
}

function stats(views: ViewRow[]): ViewStats {
  const startups: number[] = [];
  let watchMs = 0;
  let rebufferMs = 0;
  let failed = 0;
  let exitsBeforeStart = 0;
  for (const v of views) {
    const played = v.playing_ms !== null;
    if (played) startups.push(Math.max(0, v.playing_ms! - v.start_ms));
    watchMs += v.watch_ms;
    rebufferMs += v.rebuffer_ms;
    if (v.failed) failed++;
    else if (v.ended && !played) exitsBeforeStart++;
  }
  startups.sort((a, b) => a - b);
  return {
    views: views.length,
    viewers: new Set(views.map((v) => v.user_id)).size,
    watchMs,
    rebufferMs,
    failed,
    exitsBeforeStart,
    started: startups.length,
    startupP50: quantileExact(startups, 0.5),
    startupP95: quantileExact(startups, 0.95),
  };
}
