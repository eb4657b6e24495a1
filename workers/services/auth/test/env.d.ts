import type { TestBindings } from '../../../lib/testing/bindings.ts';
import type { Env as ServiceEnv } from '../src/index.ts';

declare global {
  namespace Cloudflare {
    interface Env extends ServiceEnv, TestBindings {
      /** Test-only consumer of the analytics and profile queues (vitest.config.ts). */
      EVENT_SINK: Fetcher;
    }
  }
}
