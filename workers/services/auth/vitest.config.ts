import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/** A consumer of the queues the auth service produces to, so tests can see the emitted events. */
const EVENT_SINK = `
const seen = [];
export default {
  async queue(batch) {
    for (const m of batch.messages) { seen.push({ queue: batch.queue, body: m.body }); m.ack(); }
  },
  async fetch() { return Response.json(seen); },
};`;

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: {
          ENVIRONMENT: 'test',
          KEY_ENCRYPTION_KEY: 'test-key-encryption-key-0123456789abcdef',
          ADMIN_EMAIL: 'root@example.com',
          ADMIN_PASSWORD: 'root-password-for-tests',
          // Google is configured (and down, see outboundService); GitHub is not. The real
          // providers are exercised end to end in test/e2e/auth.oauth.test.ts.
          GOOGLE_CLIENT_ID: 'edge-video-test',
          GOOGLE_CLIENT_SECRET: 'test-secret',
          GOOGLE_AUTHORIZATION_URL: 'https://idp.test/authorize',
          GOOGLE_TOKEN_URL: 'https://idp.test/token',
          OAUTH_REDIRECT_ORIGINS: 'https://app.example.com',
          TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, '../../../migrations/auth')),
        },
        serviceBindings: { EVENT_SINK: 'event-sink' },
        // Outbound fetches (only ever to an identity provider here) reach one that is down.
        outboundService: 'provider-down',
        workers: [
          {
            name: 'provider-down',
            modules: true,
            script:
              'export default { async fetch(r) { await r.arrayBuffer(); return new Response("down", { status: 503 }) } }',
          },
          {
            name: 'event-sink',
            modules: true,
            script: EVENT_SINK,
            queueConsumers: {
              'analytics-events': { maxBatchTimeout: 0.05 },
              'profile-events': { maxBatchTimeout: 0.05 },
            },
          },
        ],
      },
    }),
  ],
  test: {
    name: 'auth',
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/support/setup.ts'],
    // Worker logs only for failing tests.
    silent: 'passed-only' as const,
  },
}));
