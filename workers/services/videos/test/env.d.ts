import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc (and the tests read). */
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      STORAGE_SIGNING_KEY: string;
    }
  }
}
