import { z } from 'zod';
import type { GuardPolicy } from '../../../../durable-objects/login-guard.ts';
import { MAX_ACCESS_TOKEN_LIFETIME_SEC } from '../../../lib/access-token.ts';
import { settingsReader } from '../../../lib/settings.ts';
import type { Env } from './env.ts';

/** The contract caps access tokens at 15 minutes, whatever the configuration says (and verifiers check). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = MAX_ACCESS_TOKEN_LIFETIME_SEC;

/** OWASP's floor for argon2id: 19 MiB, 2 passes, 1 lane. Configuration may raise it, never lower it. */
export const ARGON2_FLOOR = { memoryKib: 19_456, iterations: 2, parallelism: 1 } as const;

export interface Argon2Params {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

export interface AuthConfig {
  argon2: Argon2Params;
  accessTokenTtlSec: number;
  refreshTokenTtlMs: number;
  signingKeyOverlapMs: number;
  passwordResetTtlMs: number;
  /** Reset mails per account per reset lifetime; more are dropped silently (still 202). */
  passwordResetMaxPerWindow: number;
  accountGuard: GuardPolicy;
  ipGuard: GuardPolicy;
  oauthFlowTtlMs: number;
  oauthRedirectOrigins: string[];
}

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const text = z.string().optional();

/** Every setting of the auth Worker: wrangler vars (defaults here) and secrets. */
const Settings = z.object({
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  /** Secret: wraps the private signing keys stored in D1. */
  KEY_ENCRYPTION_KEY: text,
  /** Secrets: the first admin, created when no user has this email. */
  ADMIN_EMAIL: text,
  ADMIN_PASSWORD: text,
  ARGON2_MEMORY_KIB: count(ARGON2_FLOOR.memoryKib),
  ARGON2_ITERATIONS: count(ARGON2_FLOOR.iterations),
  ARGON2_PARALLELISM: count(ARGON2_FLOOR.parallelism),
  ACCESS_TOKEN_TTL_SECONDS: count(MAX_ACCESS_TOKEN_TTL_SECONDS),
  REFRESH_TOKEN_TTL_SECONDS: count(30 * 24 * 3600),
  SIGNING_KEY_OVERLAP_SECONDS: count(3600),
  PASSWORD_RESET_TTL_SECONDS: count(1800),
  PASSWORD_RESET_MAX_PER_WINDOW: count(3),
  LOGIN_ACCOUNT_MAX_FAILURES: count(5),
  LOGIN_IP_MAX_FAILURES: count(30),
  LOGIN_LOCKOUT_SECONDS: count(30),
  LOGIN_MAX_LOCKOUT_SECONDS: count(900),
  LOGIN_FAILURE_WINDOW_SECONDS: count(900),
  OAUTH_FLOW_TTL_SECONDS: count(600),
  /** Comma-separated origins (besides the platform's own) that may receive OAuth tokens. */
  OAUTH_REDIRECT_ORIGINS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Google and GitHub sign-in are on when their client id and secret (a secret) are set. */
  GOOGLE_CLIENT_ID: text,
  GOOGLE_CLIENT_SECRET: text,
  GOOGLE_ISSUER: text,
  GOOGLE_AUTHORIZATION_URL: text,
  GOOGLE_TOKEN_URL: text,
  GOOGLE_JWKS_URL: text,
  GITHUB_CLIENT_ID: text,
  GITHUB_CLIENT_SECRET: text,
  GITHUB_AUTHORIZATION_URL: text,
  GITHUB_TOKEN_URL: text,
  GITHUB_API_URL: text,
});

export type Settings = z.output<typeof Settings>;

/** The parsed settings of this Worker (parsed once per env object). */
export const settings = settingsReader<Env, typeof Settings>('auth', Settings);

const cache = new WeakMap<Settings, AuthConfig>();

/** The policies the settings make, with the floors and caps the contract puts on them. */
export function config(env: Env): AuthConfig {
  const s = settings(env);
  const hit = cache.get(s);
  if (hit) return hit;
  const lockoutMs = s.LOGIN_LOCKOUT_SECONDS * 1000;
  const maxLockoutMs = s.LOGIN_MAX_LOCKOUT_SECONDS * 1000;
  const windowMs = s.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const made: AuthConfig = {
    argon2: {
      memoryKib: Math.max(ARGON2_FLOOR.memoryKib, s.ARGON2_MEMORY_KIB),
      iterations: Math.max(ARGON2_FLOOR.iterations, s.ARGON2_ITERATIONS),
      parallelism: s.ARGON2_PARALLELISM,
    },
    accessTokenTtlSec: Math.min(MAX_ACCESS_TOKEN_TTL_SECONDS, s.ACCESS_TOKEN_TTL_SECONDS),
    refreshTokenTtlMs: s.REFRESH_TOKEN_TTL_SECONDS * 1000,
    signingKeyOverlapMs: s.SIGNING_KEY_OVERLAP_SECONDS * 1000,
    passwordResetTtlMs: s.PASSWORD_RESET_TTL_SECONDS * 1000,
    passwordResetMaxPerWindow: s.PASSWORD_RESET_MAX_PER_WINDOW,
    accountGuard: { maxFailures: s.LOGIN_ACCOUNT_MAX_FAILURES, windowMs, lockoutMs, maxLockoutMs },
    ipGuard: { maxFailures: s.LOGIN_IP_MAX_FAILURES, windowMs, lockoutMs, maxLockoutMs },
    oauthFlowTtlMs: s.OAUTH_FLOW_TTL_SECONDS * 1000,
    oauthRedirectOrigins: s.OAUTH_REDIRECT_ORIGINS,
  };
  cache.set(s, made);
  return made;
}
