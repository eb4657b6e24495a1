/**
 * The catalog Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = CatalogEnv;

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  /** How long a search answer stays in the edge cache; any index change retires it sooner. */
  SEARCH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Videos read per catalogPage call of a rebuild. */
  REBUILD_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(200),
});

export const settings = settingsReader<Env, typeof Settings>('catalog', Settings);
