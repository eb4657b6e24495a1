import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import type { Role } from './api.ts';

/** Access tokens are RS256 JWTs; nothing else is accepted, whatever the header says. */
export const ACCESS_TOKEN_ALG = 'RS256';

/** The contract caps an access token's life (exp − iat) at 15 minutes. */
export const MAX_ACCESS_TOKEN_LIFETIME_SEC = 900;

/** How far ahead of the verifier's clock a token's `iat` may be (issuers' clocks drift a little). */
export const MAX_CLOCK_SKEW_SEC = 60;

/**
 * How long after auth records a revocation (role change, logout, revoked refresh family, password
 * reset, deleted account) the gateway may still accept the account's older access tokens.
 */
export const REVOCATION_DELAY_MS = 3_000;

export interface AccessClaims {
  sub: string;
  roles: Role[];
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti?: string;
  /**
   * The account's tokens-not-before (epoch ms) when the token was minted: every revocation moves
   * the account's value forward, so a token carrying an older one was minted before it (0: never).
   */
  tnb: number;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** Longest accepted exp − iat in seconds (default MAX_ACCESS_TOKEN_LIFETIME_SEC). */
  maxLifetimeSec?: number;
}

export type VerifyFailure = 'expired' | 'invalid' | 'unknown_key';

export type VerifyResult =
  | { ok: true; claims: AccessClaims }
  | { ok: false; reason: VerifyFailure; message: string };

const invalid = (message = 'The access token is invalid.'): VerifyResult => ({
  ok: false,
  reason: 'invalid',
  message,
});

export async function verifyAccessToken(
  token: string,
  jwks: JSONWebKeySet,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: opts.issuer,
      audience: opts.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: 5,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      return { ok: false, reason: 'expired', message: 'The access token has expired.' };
    if (err instanceof errors.JWKSNoMatchingKey)
      return { ok: false, reason: 'unknown_key', message: 'The access token was signed by an unknown key.' };
    return invalid();
  }
  const { iat, exp, tnb = 0 } = payload as { iat: number; exp: number; tnb?: unknown };
  // A genuine issuer writes neither: a future iat or a long life means a stolen key or a bug.
  if (iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SEC)
    return invalid('The access token was issued in the future.');
  if (exp - iat > (opts.maxLifetimeSec ?? MAX_ACCESS_TOKEN_LIFETIME_SEC))
    return invalid('The access token lives longer than access tokens may.');
  if (typeof tnb !== 'number' || !Number.isFinite(tnb)) return invalid();
  const roles = Array.isArray(payload.roles)
    ? (payload.roles.filter((r) => r === 'viewer' || r === 'admin') as Role[])
    : [];
  return { ok: true, claims: { ...(payload as unknown as AccessClaims), roles, tnb } };
}
