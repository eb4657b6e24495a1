import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { ROOT, readConfig } from '../../scripts/platform.ts';
import { testJwks } from './test/support/keys.ts';

/** Every service Worker the gateway binds (wrangler.jsonc), so that a new service needs no edit here. */
const services = (
  (readConfig(`${ROOT}/wrangler.jsonc`) as { services?: { service: string }[] }).services ?? []
).map((s) => s.service);

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: '../../wrangler.jsonc' },
      miniflare: {
        // The front door is tested here with fixture routes (test/support/fixture.ts); the real
        // services behind it are exercised end to end in test/e2e. These placeholders only satisfy
        // the config's service bindings.
        workers: services.map((name) => ({
          name,
          modules: true,
          script: 'export default { fetch() { return new Response(null, { status: 503 }) } }',
        })),
        bindings: {
          ENVIRONMENT: 'test',
          JWKS_JSON: JSON.stringify((await testJwks()).jwks),
          TEST_SIGNING_JWK: JSON.stringify((await testJwks()).privateJwk),
          IP_RULES: JSON.stringify({
            internal: { allow: ['10.0.0.0/8', '127.0.0.0/8', '::1/128', '0.0.0.0/32'] },
            admin: { allow: ['10.0.0.0/8', '2001:db8::/32'] },
            blocked: { deny: ['203.0.113.0/24'] },
          }),
          CORS_ORIGINS: 'https://app.example.com',
          STORAGE_SIGNING_KEY: 'test-storage-signing-key',
          STREAM_SIGNING_KEY: 'test-stream-signing-key',
          METRICS_TOKEN: 'test-metrics-token-0123456789abcdef',
        },
      },
    }),
  ],
  test: { name: 'gateway', include: ['test/**/*.test.ts'] },
}));
