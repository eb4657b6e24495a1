/**
 * The playback Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = PlaybackEnv;

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']).default('development'),
  /** Secret: HMAC key of stream URLs, shared with the gateway's stream endpoint. */
  STREAM_SIGNING_KEY: z.string().min(1),
  /** How long a stream URL lives, in seconds. */
  STREAM_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(86_400).default(3600),
  /**
   * The keyring that wraps content keys (a secret): `<version>:<base64 key>` entries separated by
   * commas, the current one first (see src/keys.ts). Optional so the service starts without it;
   * content-key calls then fail.
   */
  CONTENT_KEY_MASTER: z.string().optional(),
});

export const settings = settingsReader<Env, typeof Settings>('playback', Settings);
