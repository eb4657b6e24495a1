import type { GuardPolicy } from '../../../../durable-objects/login-guard.ts';
import type { Env } from './env.ts';

/** The contract caps access tokens at 15 minutes, whatever the configuration says. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 900;

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

function int(value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`invalid integer configuration value: ${value}`);
  return n;
}

const cache = new WeakMap<object, AuthConfig>();

export function config(env: Env): AuthConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const lockoutMs = int(env.LOGIN_LOCKOUT_SECONDS, 30) * 1000;
  const maxLockoutMs = int(env.LOGIN_MAX_LOCKOUT_SECONDS, 900) * 1000;
  const windowMs = int(env.LOGIN_FAILURE_WINDOW_SECONDS, 900) * 1000;
  const made: AuthConfig = {
    argon2: {
      memoryKib: Math.max(ARGON2_FLOOR.memoryKib, int(env.ARGON2_MEMORY_KIB, ARGON2_FLOOR.memoryKib)),
      iterations: Math.max(ARGON2_FLOOR.iterations, int(env.ARGON2_ITERATIONS, ARGON2_FLOOR.iterations)),
      parallelism: int(env.ARGON2_PARALLELISM, ARGON2_FLOOR.parallelism),
    },
    accessTokenTtlSec: Math.min(
      MAX_ACCESS_TOKEN_TTL_SECONDS,
      int(env.ACCESS_TOKEN_TTL_SECONDS, MAX_ACCESS_TOKEN_TTL_SECONDS),
    ),
    refreshTokenTtlMs: int(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600) * 1000,
    signingKeyOverlapMs: int(env.SIGNING_KEY_OVERLAP_SECONDS, 3600) * 1000,
    passwordResetTtlMs: int(env.PASSWORD_RESET_TTL_SECONDS, 1800) * 1000,
    passwordResetMaxPerWindow: int(env.PASSWORD_RESET_MAX_PER_WINDOW, 3),
    accountGuard: { maxFailures: int(env.LOGIN_ACCOUNT_MAX_FAILURES, 5), windowMs, lockoutMs, maxLockoutMs },
    ipGuard: { maxFailures: int(env.LOGIN_IP_MAX_FAILURES, 30), windowMs, lockoutMs, maxLockoutMs },
    oauthFlowTtlMs: int(env.OAUTH_FLOW_TTL_SECONDS, 600) * 1000,
    oauthRedirectOrigins: (env.OAUTH_REDIRECT_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  cache.set(env, made);
  return made;
}
