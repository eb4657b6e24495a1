/** Access tokens: RS256 JWTs (RFC 9068 shape) the gateway verifies against the JWKS. */
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_ALG } from '../../../lib/access-token.ts';
import { newId } from '../../../lib/ids.ts';
import type { SigningKey } from './signing-keys.ts';

export interface AccessTokenSubject {
  userId: string;
  roles: string[];
  /** The refresh family (session) the token belongs to. */
  sessionId: string;
  /** The account's tokens-not-before as read with its roles (src/revocation.ts). */
  tokensNotBefore: number;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSec: number;
}

export async function signAccessToken(
  key: SigningKey,
  who: AccessTokenSubject,
  opts: AccessTokenOptions,
  now = Date.now(),
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(now / 1000);
  const token = await new SignJWT({ roles: who.roles, sid: who.sessionId, tnb: who.tokensNotBefore })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'at+jwt' })
    .setSubject(who.userId)
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + opts.ttlSec)
    .setJti(newId('at'))
    .sign(key.privateKey);
  return { token, expiresIn: opts.ttlSec };
}
