import { defineConfig } from 'vitest/config';

/** The project's own commands, run as an operator would (no platform needed). */
export default defineConfig({
  test: { name: 'tooling', root: import.meta.dirname, include: ['**/*.test.ts'], testTimeout: 180_000 },
});
