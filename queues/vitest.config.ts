import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './test/wrangler.jsonc' },
      miniflare: {
        bindings: {
          // The canonical SQL every service's migrations carry: the outbox and the consumer bookkeeping.
          TEST_MIGRATIONS: await readD1Migrations(import.meta.dirname),
        },
      },
    }),
  ],
  test: { name: 'queues', include: ['test/**/*.test.ts'], setupFiles: ['./test/setup.ts'] },
}));
