import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { r2S3Recorder } from './test/support/r2-s3-recorder.ts';

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        // Events go to queues nobody consumes: tests read them from the outbox and hand them to
        // queue() themselves, so no consumer runs behind a test's back.
        queueProducers: Object.fromEntries(
          ['ANALYTICS', 'CATALOG', 'PROFILE', 'RECS', 'VIDEOS'].map((q) => [
            `Q_${q}_EVENTS`,
            `test-sink-${q}`,
          ]),
        ),
        // No network in tests: R2's S3 API is answered by a signature-checking stand-in.
        outboundService: r2S3Recorder,
        bindings: {
          ENVIRONMENT: 'test',
          STORAGE_SIGNING_KEY: 'test-storage-signing-key',
          JOB_RETRY_BASE_SECONDS: '10',
          TEST_MIGRATIONS: await readD1Migrations(
            path.join(import.meta.dirname, '../../../migrations/videos'),
          ),
        },
      },
    }),
  ],
  test: { name: 'videos', include: ['test/**/*.test.ts'], setupFiles: ['./test/support/setup.ts'] },
}));
