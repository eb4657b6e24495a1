/**
 * Events in ClickHouse through @clickhouse/client-web (fetch, so it runs in the Worker). ClickHouse
 * 18.16, Debian's, has no query parameters: every value spliced into SQL is a number, a validated id
 * or a literal escaped by `quote`. Duplicates fold at write time (ReplacingMergeTree) and at read
 * time (FINAL, uniqExact of the event id), so counts are exact before any merge.
 */
import { type ClickHouseClient, createClient } from '@clickhouse/client-web';
import type { Settings } from '../config.ts';
import { migrate } from './clickhouse-schema.ts';
import type { Aggregate, EventStore, RangeQuery, ViewStats } from './store.ts';

/** A ClickHouse string literal. */
export function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

const int = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${n}`);
  return String(n);
};

const NO_VIEWS: ViewStats = {
  views: 0,
  viewers: 0,
  watchMs: 0,
  rebufferMs: 0,
  failed: 0,
  exitsBeforeStart: 0,
  started: 0,
  startupP50: 0,
  startupP95: 0,
};

/** One schema check per isolate and database; a failure is retried on the next use. */
const migrated = new Map<string, Promise<unknown>>();

export function clickHouseStore(s: Settings): EventStore {
  const db = s.CLICKHOUSE_DATABASE;
  const client: ClickHouseClient = createClient({
    url: s.CLICKHOUSE_URL!,
    username: s.CLICKHOUSE_USER,
    password: s.CLICKHOUSE_PASSWORD,
    request_timeout: s.CLICKHOUSE_TIMEOUT_MS,
    // 18.16 knows neither the progress headers nor newer settings the client may send by default.
    clickhouse_settings: {},
  });
  const key = `${s.CLICKHOUSE_URL}/${db}`;
  const ready = () => {
    let p = migrated.get(key);
    if (!p) {
      p = migrate(client, db).catch((err) => {
        migrated.delete(key);
        throw err;
      });
      migrated.set(key, p);
    }
    return p;
  };
  const where = (q: RangeQuery) =>
    `time_ms >= ${int(q.from)} AND time_ms < ${int(q.to)}${q.videoId === undefined ? '' : ` AND video_id = ${quote(q.videoId)}`}`;

  async function rowsOf<T>(query: string): Promise<{ data: T[]; totals?: T }> {
    const rs = await client.query({ query, format: 'JSON' });
    return rs.json<T>() as unknown as { data: T[]; totals?: T };
  }

  return {
    kind: 'clickhouse',

    async insert(rows) {
      if (!rows.length) return;
      await ready();
      await client.insert({
        table: `${db}.events`,
        format: 'JSONEachRow',
        values: rows.map((r) => ({
          event_id: r.eventId,
          event_type: r.eventType,
          user_id: r.userId,
          video_id: r.videoId,
          view_id: r.viewId,
          time_ms: r.timeMs,
          source: r.source,
          watch_ms: r.watchMs,
          rebuffer_ms: r.rebufferMs,
          metadata: r.metadata,
          received_ms: r.receivedMs,
        })),
      });
    },

    async forgetUser(userId, pseudonym) {
      await ready();
      await client.command({
        query: `ALTER TABLE ${db}.events UPDATE user_id = ${quote(pseudonym)},
                  metadata = replaceAll(metadata, ${quote(JSON.stringify(userId))}, ${quote(JSON.stringify(pseudonym))})
                WHERE user_id = ${quote(userId)}`,
      });
    },

    async countEvents(q, types) {
      await ready();
      const w = int(q.width);
      const { data, totals } = await rowsOf<{ t: string; n: string }>(
        `SELECT intDiv(time_ms, ${w}) * ${w} AS t, uniqExact(event_id) AS n FROM ${db}.events
         WHERE event_type IN (${types.map(quote).join(', ')}) AND ${where(q)}
         GROUP BY t WITH TOTALS ORDER BY t`,
      );
      return {
        total: data.length ? Number(totals?.n ?? 0) : 0,
        buckets: new Map(data.map((r) => [Number(r.t), Number(r.n)])),
      };
    },

    async viewStats(q) {
      await ready();
      const w = int(q.width);
      type Row = Record<keyof ViewStats | 't', string | number>;
      const { data, totals } = await rowsOf<Row>(
        `SELECT intDiv(start_ms, ${w}) * ${w} AS t,
           count() AS views,
           uniqExact(viewer) AS viewers,
           sum(view_watch_ms) AS watchMs,
           sum(view_rebuffer_ms) AS rebufferMs,
           countIf(has_error) AS failed,
           countIf(has_end AND NOT has_playing AND NOT has_error) AS exitsBeforeStart,
           countIf(has_playing) AS started,
           quantileExactIf(0.5)(startup_ms, has_playing) AS startupP50,
           quantileExactIf(0.95)(startup_ms, has_playing) AS startupP95
         FROM (
           SELECT view_id,
             argMinIf(user_id, time_ms, event_type = 'viewStart') AS viewer,
             minIf(time_ms, event_type = 'viewStart') AS start_ms,
             countIf(event_type = 'viewStart') > 0 AS has_start,
             countIf(event_type = 'playing') > 0 AS has_playing,
             minIf(time_ms, event_type = 'playing') AS playing_ms,
             if(has_playing AND playing_ms > start_ms, playing_ms - start_ms, 0) AS startup_ms,
             maxIf(watch_ms, event_type = 'viewEnd') AS view_watch_ms,
             sumIf(rebuffer_ms, event_type = 'rebuffer.end') AS view_rebuffer_ms,
             countIf(event_type = 'error') > 0 AS has_error,
             countIf(event_type = 'viewEnd') > 0 AS has_end
           FROM ${db}.events FINAL
           WHERE view_id != '' AND ${where(q)}
           GROUP BY view_id
           HAVING has_start
         )
         GROUP BY t WITH TOTALS ORDER BY t`,
      );
      const stats = (r: Row): ViewStats => ({
        views: Number(r.views),
        viewers: Number(r.viewers),
        watchMs: Number(r.watchMs),
        rebufferMs: Number(r.rebufferMs),
        failed: Number(r.failed),
        exitsBeforeStart: Number(r.exitsBeforeStart),
        started: Number(r.started),
        startupP50: Number(r.startupP50),
        startupP95: Number(r.startupP95),
      });
      return {
        total: data.length && totals ? stats(totals) : NO_VIEWS,
        buckets: new Map(data.map((r) => [Number(r.t), stats(r)])),
      } satisfies Aggregate<ViewStats>;
    },
  };
}
