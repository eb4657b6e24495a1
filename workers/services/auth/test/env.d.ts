import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc (and the tests read). */
    interface Env extends TestBindings {
      /** Test-only consumer of the analytics and profile queues. */
      EVENT_SINK: Fetcher;
      /** Test-only view of the fake mail API (what it accepted: GET /received). */
      MAIL_API: Fetcher;
      KEY_ENCRYPTION_KEY: string;
      ADMIN_EMAIL: string;
      ADMIN_PASSWORD: string;
    }
  }
}
