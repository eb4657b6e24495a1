/**
 * ClickHouse's schema, versioned like D1's: the SQL files of migrations/analytics-clickhouse/, applied
 * in order by the service itself (first use in an isolate) and recorded in `schema_migrations`.
 */
import type { ClickHouseClient } from '@clickhouse/client-web';
import events0001 from '../../../../../migrations/analytics-clickhouse/0001_events.sql';

/** Every migration, oldest first; a new one is a new file added here. */
export const CLICKHOUSE_MIGRATIONS = [{ version: 1, name: '0001_events', sql: events0001 }];

/** A file's statements, with `{db}` filled in (ClickHouse's HTTP interface takes one per request). */
export function statements(sql: string, db: string): string[] {
  return sql
    .replace(/^\s*--.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.replaceAll('{db}', db));
}

export async function migrate(client: ClickHouseClient, db: string): Promise<number[]> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime)
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const done = await client.query({
    query: `SELECT version FROM ${db}.schema_migrations FINAL`,
    format: 'JSONEachRow',
  });
  const applied = new Set((await done.json<{ version: number | string }>()).map((r) => Number(r.version)));
  const ran: number[] = [];
  for (const m of CLICKHOUSE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    for (const query of statements(m.sql, db)) await client.command({ query });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    ran.push(m.version);
  }
  return ran;
}
