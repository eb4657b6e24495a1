import { defineConfig } from 'vitest/config';

/**
 * End to end: starts the platform as `npm start` does (fresh state, its own port) and speaks
 * HTTP to it from Node.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One platform serves every file; files run one after another against it.
    fileParallelism: false,
  },
});
