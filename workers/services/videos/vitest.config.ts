import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: {
          ENVIRONMENT: 'test',
          TEST_MIGRATIONS: await readD1Migrations(
            path.join(import.meta.dirname, '../../../migrations/videos'),
          ),
        },
      },
    }),
  ],
  test: { name: 'videos', include: ['test/**/*.test.ts'], setupFiles: ['./test/support/setup.ts'] },
}));
