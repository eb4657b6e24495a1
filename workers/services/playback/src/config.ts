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
  /**
   * License servers of the DRM systems whose licenses are proxied (src/licenses/proxy.ts); a system
   * without a URL is not offered (501). ClearKey needs none: playback answers it from the key store.
   */
  WIDEVINE_LICENSE_URL: z.string().url().optional(),
  PLAYREADY_LICENSE_URL: z.string().url().optional(),
  FAIRPLAY_LICENSE_URL: z.string().url().optional(),
  /** Secret: the HS256 key of the grant sent with every proxied request; the license servers verify it. */
  DRM_PROXY_SECRET: z.string().min(16).optional(),
  /** How long a license server may take before the request fails with 504. */
  DRM_LICENSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** The longest a license lives (and stays cached); never past the entitlement's `until`. */
  LICENSE_TTL_SEC: z.coerce.number().int().min(10).max(86_400).default(900),
});

export const settings = settingsReader<Env, typeof Settings>('playback', Settings);
