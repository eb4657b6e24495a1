/** The gateway's settings: its wrangler vars and secrets, read through one zod schema. */
import { z } from 'zod';
import { settingsReader } from '../../lib/settings.ts';

const Settings = z.object({
  ENVIRONMENT: z.enum(['development', 'staging', 'production', 'test']),
  /** Issuer and audience the access tokens must carry. */
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  /** A static JWKS (JSON) used when no auth service is bound, e.g. in the gateway's own tests. */
  JWKS_JSON: z.string().optional(),
  /** Comma-separated origins allowed by CORS; `*` allows any origin without credentials. */
  CORS_ORIGINS: z.string().default(''),
  /** JSON: { "<group>": { "allow"?: string[], "deny"?: string[] } }; group "*" applies to every route. */
  IP_RULES: z.string().optional(),
  /** JSON overrides of the rate-limit policies (see ratelimit/policies.ts). */
  RATE_LIMITS: z.string().optional(),
  /** The externally visible origin; defaults to the request's. */
  PUBLIC_ORIGIN: z.string().optional(),
  /** Secret: HMAC key of storage URLs, shared with the videos service that signs them. */
  STORAGE_SIGNING_KEY: z.string().optional(),
  /** Secret: HMAC key of stream URLs, shared with the playback service that signs them. */
  STREAM_SIGNING_KEY: z.string().optional(),
  /** Secret: lets monitoring (`X-Metrics-Token`) see the per-check detail of /readyz; unset, only admins do. */
  METRICS_TOKEN: z.string().min(16).optional(),
});

export type Settings = z.output<typeof Settings>;

/** The parsed settings of this Worker (parsed once per env object). */
export const settings = settingsReader<GatewayEnv, typeof Settings>('gateway', Settings);
