import { defineConfig } from 'vitest/config';

/** One project per Worker (inside workerd), the transcoder (Node), and the end-to-end suite. */
export default defineConfig({
  test: {
    // Info-level JSON lines (access logs, events) drown the report; warnings and errors still show.
    onConsoleLog: (line) => !line.startsWith('{"level":"info"'),
    projects: [
      'workers/gateway/vitest.config.ts',
      'queues/vitest.config.ts',
      'workers/services/*/vitest.config.ts',
      'origin/*/vitest.config.ts',
      'test/*/vitest.config.ts',
    ],
  },
});
