import { type Env, settings } from '../config.ts';
import { clickHouseStore } from './clickhouse.ts';
import { d1Store } from './d1.ts';
import type { EventStore } from './store.ts';

/** ClickHouse when CLICKHOUSE_URL is set, the service's D1 otherwise. */
export function eventStore(env: Env): EventStore {
  const s = settings(env);
  return s.CLICKHOUSE_URL ? clickHouseStore(s) : d1Store(env.DB);
}
