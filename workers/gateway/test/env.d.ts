import type { GatewayEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends GatewayEnv {
      TEST_SIGNING_JWK: string;
    }
  }
}
