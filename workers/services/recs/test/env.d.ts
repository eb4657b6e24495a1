import type { TestBindings } from '../../../lib/testing/bindings.ts';

declare global {
  namespace Cloudflare {
    interface Env extends TestBindings {}
  }
}
