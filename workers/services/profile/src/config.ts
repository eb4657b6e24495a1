/**
 * The profile Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = ProfileEnv;

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
});

export const settings = settingsReader<Env, typeof Settings>('profile', Settings);
