/**
 * A real OpenID Connect provider (the `oidc-provider` package) standing in for Google: code flow
 * with PKCE, ID tokens signed with RS256 and published at /jwks, interactive login and consent
 * (the package's development interactions, driven with plain fetch by idp-browser.ts).
 *
 * Accounts exist for any login name: `<name>` signs in as subject `<name>` with the email `<name>`
 * when it contains an @, else `<name>@google.test`. Names starting with `unverified` have an
 * unverified email. Two names make the provider misbehave at its token endpoint, as a compromised
 * or confused provider (or a token substituted in transit) would: `wrong-aud…` answers an ID
 * token issued to another client, `wrong-iss…` one from another issuer; both are properly signed
 * with the provider's key, so only the relying party's claim checks can catch them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export interface GoogleStandIn {
  issuer: string;
  clientId: string;
  clientSecret: string;
  server: Server;
}

export const GOOGLE_CLIENT = {
  clientId: 'edge-video-e2e',
  clientSecret: 'e2e-google-client-secret-0123456789',
};

export function emailOfGoogleLogin(login: string): string {
  return login.includes('@') ? login : `${login}@google.test`;
}

export async function startGoogle(platformOrigin: string): Promise<GoogleStandIn> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'google-e2e-1';
  const signingJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: GOOGLE_CLIENT.clientId,
        client_secret: GOOGLE_CLIENT.clientSecret,
        redirect_uris: [`${platformOrigin}/auth/oauth/google/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingJwk] },
    pkce: { required: () => true },
    // Like Google: the email claims travel in the ID token itself.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['e2e-idp-cookie-key-0123456789'] },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: emailOfGoogleLogin(id),
          email_verified: !id.startsWith('unverified'),
          name: `Google ${id.split('@')[0]}`,
        }),
      };
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: string };
    if (!body.id_token) return;
    const claims = decodeJwt(body.id_token);
    const sub = String(claims.sub);
    const twist = sub.startsWith('wrong-aud')
      ? { aud: 'another-client' }
      : sub.startsWith('wrong-iss')
        ? { iss: 'https://accounts.evil.example' }
        : undefined;
    if (!twist) return;
    const id_token = await new SignJWT({ ...claims, ...twist })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(privateKey);
    ctx.body = { ...body, id_token };
  });

  server.on('request', provider.callback());
  return { issuer, ...GOOGLE_CLIENT, server };
}
