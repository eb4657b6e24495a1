/** Google: OpenID Connect. The ID token is the identity; its signature, issuer, audience and nonce are checked. */
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { Problem } from '../../../../lib/problem.ts';
import { type CodeExchange, type GoogleProvider, type Identity, postForm } from './providers.ts';

const keySets = new Map<string, JWTVerifyGetKey>();

function keysOf(url: string): JWTVerifyGetKey {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
    keySets.set(url, set);
  }
  return set;
}

export async function googleIdentity(p: GoogleProvider, x: CodeExchange): Promise<Identity> {
  const tokens = await postForm(p.tokenUrl, {
    grant_type: 'authorization_code',
    code: x.code,
    redirect_uri: x.redirectUri,
    client_id: p.clientId,
    client_secret: p.clientSecret,
    code_verifier: x.codeVerifier,
  });
  if (typeof tokens.id_token !== 'string') throw new Problem('bad_gateway', 'The provider sent no ID token.');
  return identityFromIdToken(p, tokens.id_token, x.nonce);
}

export async function identityFromIdToken(
  p: GoogleProvider,
  idToken: string,
  nonce: string,
): Promise<Identity> {
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(idToken, keysOf(p.jwksUrl), {
      issuer: p.issuers,
      audience: p.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: 30,
    }));
  } catch {
    throw Problem.unauthorized('The ID token from the identity provider failed validation.');
  }
  // Several audiences: the token must have been issued to us (OIDC Core §3.1.3.7).
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== p.clientId)
    throw Problem.unauthorized('The ID token was issued to another client.');
  if (claims.nonce !== nonce)
    throw Problem.unauthorized('The ID token does not belong to this sign-in (nonce).');
  if (typeof claims.email !== 'string')
    throw Problem.forbidden('The Google account has no verified email address.');
  const name =
    typeof claims.name === 'string' && claims.name.trim() ? claims.name : claims.email.split('@')[0]!;
  return {
    provider: 'google',
    subject: String(claims.sub),
    email: claims.email,
    emailVerified: claims.email_verified === true,
    name,
  };
}
