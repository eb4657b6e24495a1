import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc (and the tests read). */
    interface Env extends TestBindings {
      STORAGE_SIGNING_KEY: string;
    }
  }
}
