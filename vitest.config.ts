import { defineConfig } from 'vitest/config';

/** One project per Worker (inside workerd), the transcoder (Node), and the end-to-end suite. */
export default defineConfig({
  test: {
    // Info-level JSON lines (access logs, events) drown the report; warnings and errors still show.
    onConsoleLog: (line) => !line.startsWith('{"level":"info"'),
    // Most test time is spent waiting (workerd, ffmpeg, the end-to-end platform), so run two files
    // at once rather than vitest's default of cores − 1 (one at a time on two cores). `npm test`
    // also runs three groups of projects side by side (scripts/test.ts).
    maxWorkers: 2,
    projects: [
      'workers/gateway/vitest.config.ts',
      'queues/vitest.config.ts',
      'workers/services/*/vitest.config.ts',
      'origin/*/vitest.config.ts',
      'test/*/vitest.config.ts',
    ],
  },
});
