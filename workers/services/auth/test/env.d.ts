import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc (and the tests read). */
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Test-only consumer of the analytics and profile queues. */
      EVENT_SINK: Fetcher;
      KEY_ENCRYPTION_KEY: string;
      ADMIN_EMAIL: string;
      ADMIN_PASSWORD: string;
    }
  }
}
