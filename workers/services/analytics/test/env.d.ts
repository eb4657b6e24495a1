import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    interface Env extends TestBindings {
      /** A private ClickHouse server for this run (vitest.config.ts). */
      TEST_CLICKHOUSE_URL: string;
    }
  }
}
