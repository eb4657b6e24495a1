import { applyD1Migrations, env } from 'cloudflare:test';

// The tables every service gets from its migrations: the outbox and the consumer's bookkeeping.
const testEnv = env as unknown as {
  DB: D1Database;
  TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1];
};
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
