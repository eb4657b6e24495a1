/** What the shared service project (test/service-project.ts) binds in every service's tests. */
import type { D1Migration } from 'cloudflare:test';

export interface TestBindings {
  TEST_MIGRATIONS: D1Migration[];
  /** The service's wrangler.jsonc, parsed, for the wiring checks. */
  TEST_WRANGLER_CONFIG: Record<string, unknown>;
}
