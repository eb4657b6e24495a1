/**
 * The end-to-end platform stores analytics in a private ClickHouse server (as `CLICKHOUSE_URL=…
 * npm start` does). The global setup starts it; a test can stop and restart that very server through
 * its folder (the pid file), from its own process.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { type ClickHouseServer, clickHouseAt, startClickHouse } from '../../../scripts/clickhouse.ts';

export interface ClickHouseInfo {
  url: string;
  dir: string;
}

export function startAnalyticsClickHouse(stateDir: string): Promise<ClickHouseServer> {
  return startClickHouse({ dir: path.join(stateDir, 'clickhouse') });
}

/** The running server, to stop and restart from a test. */
export function analyticsClickHouse(): ClickHouseServer {
  const { url, dir } = inject('clickhouse');
  return clickHouseAt(dir, url);
}

/** Counts straight from ClickHouse (the analytics database), bypassing the platform. */
export async function clickHouseCount(sql: string): Promise<number> {
  const res = await fetch(inject('clickhouse').url, { method: 'POST', body: sql });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return Number(text.trim());
}
