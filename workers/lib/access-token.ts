import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import type { Role } from './api.ts';

/** Access tokens are RS256 JWTs; nothing else is accepted, whatever the header says. */
export const ACCESS_TOKEN_ALG = 'RS256';

export interface AccessClaims {
  sub: string;
  roles: Role[];
  iss: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  jti?: string;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
}

export type VerifyFailure = 'expired' | 'invalid' | 'unknown_key';

export type VerifyResult =
  | { ok: true; claims: AccessClaims }
  | { ok: false; reason: VerifyFailure; message: string };

export async function verifyAccessToken(
  token: string,
  jwks: JSONWebKeySet,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: opts.issuer,
      audience: opts.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: 5,
    });
    const roles = Array.isArray(payload.roles)
      ? (payload.roles.filter((r) => r === 'viewer' || r === 'admin') as Role[])
      : [];
    return { ok: true, claims: { ...(payload as unknown as AccessClaims), roles } };
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      return { ok: false, reason: 'expired', message: 'The access token has expired.' };
    if (err instanceof errors.JWKSNoMatchingKey)
      return { ok: false, reason: 'unknown_key', message: 'The access token was signed by an unknown key.' };
    return { ok: false, reason: 'invalid', message: 'The access token is invalid.' };
  }
}
