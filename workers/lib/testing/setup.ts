/** Applies the service's D1 migrations before its first test (see test/service-project.ts). */
import { applyD1Migrations, env } from 'cloudflare:test';

const testEnv = env as unknown as {
  DB?: D1Database;
  TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1];
};
if (testEnv.DB && testEnv.TEST_MIGRATIONS.length)
  await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
