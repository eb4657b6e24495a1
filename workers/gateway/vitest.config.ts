import path from 'node:path';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { ROOT, readConfig } from '../../scripts/platform.ts';
import { testJwks } from './test/support/keys.ts';

/** Every service the gateway's config binds (new-service adds them there). */
const boundServices = (
  readConfig(path.join(ROOT, 'wrangler.jsonc')) as { services?: { service: string }[] }
).services!.map((s) => s.service);

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: '../../wrangler.jsonc' },
      miniflare: {
        // The front door is tested here with fixture routes (test/support/fixture.ts); the real
        // services behind it are exercised end to end in test/e2e. These placeholders only satisfy
        // the config's service bindings.
        workers: boundServices.map((name) => ({
          name,
          modules: true,
          script: 'export default { fetch() { return new Response(null, { status: 503 }) } }',
        })),
        bindings: {
          ENVIRONMENT: 'test',
          JWKS_JSON: JSON.stringify((await testJwks()).jwks),
          TEST_SIGNING_JWK: JSON.stringify((await testJwks()).privateJwk),
          IP_RULES: JSON.stringify({
            admin: { allow: ['10.0.0.0/8', '2001:db8::/32'] },
            blocked: { deny: ['203.0.113.0/24'] },
          }),
          CORS_ORIGINS: 'https://app.example.com',
          STORAGE_SIGNING_KEY: 'test-storage-signing-key',
        },
      },
    }),
  ],
  test: { name: 'gateway', include: ['test/**/*.test.ts'] },
}));
