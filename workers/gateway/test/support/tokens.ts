import { env } from 'cloudflare:test';
import { importJWK, type JWK, SignJWT } from 'jose';

export interface TokenOptions {
  sub?: string;
  roles?: string[];
  iss?: string;
  aud?: string;
  expiresIn?: string | number;
  /** `iat` in epoch seconds (default: now). */
  issuedAt?: number;
  /** The account's tokens-not-before when the token was minted (`tnb`, default 0). */
  tnb?: number;
  key?: CryptoKey;
  kid?: string;
  alg?: string;
}

/** Signs an access token with the test key the gateway trusts (or another key, for forgeries). */
export async function signToken(opts: TokenOptions = {}): Promise<string> {
  const key =
    opts.key ??
    ((await importJWK(
      JSON.parse((env as unknown as { TEST_SIGNING_JWK: string }).TEST_SIGNING_JWK) as JWK,
      'RS256',
    )) as CryptoKey);
  return new SignJWT({ roles: opts.roles ?? ['viewer'], tnb: opts.tnb ?? 0 })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'test-key-1', typ: 'JWT' })
    .setSubject(opts.sub ?? 'usr_test')
    .setIssuer(opts.iss ?? env.JWT_ISSUER)
    .setAudience(opts.aud ?? env.JWT_AUDIENCE)
    .setIssuedAt(opts.issuedAt)
    .setExpirationTime(opts.expiresIn ?? '10m')
    .sign(key);
}

/** A token with `alg: none`: header and payload, no signature. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const b64 = (o: object) =>
    btoa(JSON.stringify(o)).replaceAll('=', '').replaceAll('+', '-').replaceAll('/', '_');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
