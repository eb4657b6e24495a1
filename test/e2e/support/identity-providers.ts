/**
 * The identity providers the e2e platform signs in with: a real OpenID Connect provider standing
 * in for Google and a GitHub-shaped OAuth server. Started before the platform; their URLs reach
 * the Workers as vars.
 */
import { GITHUB_CLIENT, startGitHub } from './idp-github.ts';
import { startGoogle } from './idp-google.ts';

export interface IdentityProviders {
  google: { issuer: string };
  github: { url: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    idp: IdentityProviders;
  }
}

export async function startIdentityProviders(platformOrigin: string) {
  const google = await startGoogle(platformOrigin);
  const github = await startGitHub(platformOrigin);
  const vars: Record<string, string> = {
    GOOGLE_ISSUER: google.issuer,
    GOOGLE_AUTHORIZATION_URL: `${google.issuer}/auth`,
    GOOGLE_TOKEN_URL: `${google.issuer}/token`,
    GOOGLE_JWKS_URL: `${google.issuer}/jwks`,
    GOOGLE_CLIENT_ID: google.clientId,
    GOOGLE_CLIENT_SECRET: google.clientSecret,
    GITHUB_AUTHORIZATION_URL: `${github.url}/login/oauth/authorize`,
    GITHUB_TOKEN_URL: `${github.url}/login/oauth/access_token`,
    GITHUB_API_URL: github.url,
    GITHUB_CLIENT_ID: GITHUB_CLIENT.clientId,
    GITHUB_CLIENT_SECRET: GITHUB_CLIENT.clientSecret,
  };
  const info: IdentityProviders = { google: { issuer: google.issuer }, github: { url: github.url } };
  const stop = async () => {
    for (const s of [google.server, github.server]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  };
  return { vars, info, stop };
}
