import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The transcoder runs on Node (not workerd) and its tests drive real ffmpeg, so they get a plain
 * Node project. The root is the repository so the protocol under workers/lib/ resolves as in prod.
 */
export default defineProject({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'transcoder',
    environment: 'node',
    include: ['origin/transcoder/test/**/*.test.ts'],
    // Real encodes on a 2-core machine: generous, but a hang still fails instead of blocking CI.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
