import type { D1Migration } from 'cloudflare:test';
import type { Env as ServiceEnv } from '../src/index.ts';

declare global {
  namespace Cloudflare {
    interface Env extends ServiceEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Test-only consumer of the analytics and profile queues (vitest.config.ts). */
      EVENT_SINK: Fetcher;
    }
  }
}
