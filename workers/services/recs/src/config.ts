/**
 * The recs Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';
import { MODEL_TYPES } from './trainer/recommender.ts';

export type Env = RecsEnv;

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  /** The model the daily training builds and serving prefers (another active one serves while it has none). */
  RECS_MODEL: z.enum(MODEL_TYPES).default('ease'),
  /** Seconds a user's list stays in the edge cache; a new interaction of the user replaces it sooner. */
  RECS_CACHE_TTL: int(0, 3600, 60),
  /**
   * Training inside the Worker reads every interaction into memory: above this many it refuses
   * and the Node batch trainer (`npm run recs:train`) is the way.
   */
  RECS_MAX_WORKER_INTERACTIONS: int(1, 5_000_000, 300_000),
  /** Versions kept per model type besides the active one (for rolling back by hand). */
  RECS_KEEP_VERSIONS: int(0, 10, 1),
});

export const settings = settingsReader<Env, typeof Settings>('recs', Settings);
