import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc (and the tests read). */
    interface Env extends TestBindings {
      /** Test-only consumer of the analytics and profile queues. */
      EVENT_SINK: Fetcher;
      KEY_ENCRYPTION_KEY: string;
      ADMIN_EMAIL: string;
      ADMIN_PASSWORD: string;
    }
  }
}
