declare global {
  namespace Cloudflare {
    /** What vitest.config.ts binds beyond wrangler.jsonc. */
    interface Env {
      JWKS_JSON: string;
      METRICS_TOKEN: string;
      STORAGE_SIGNING_KEY: string;
      STREAM_SIGNING_KEY: string;
      TEST_SIGNING_JWK: string;
    }
  }
}

export {};
