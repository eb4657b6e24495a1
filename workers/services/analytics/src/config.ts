/**
 * The analytics Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = AnalyticsEnv;

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  /** ClickHouse's HTTP interface; events are stored in D1 when it is unset. */
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  /** Secret. */
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /** The database the service creates and migrates (an identifier: it is spliced into SQL). */
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
    .default('analytics'),
  /** A slow ClickHouse counts as down after this long: the batch goes back to the queue. */
  CLICKHOUSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
});

export const settings = settingsReader<Env, typeof Settings>('analytics', Settings);
export type Settings = z.output<typeof Settings>;
