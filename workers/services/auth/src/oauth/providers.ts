/** Google and GitHub as configured by vars; the defaults are the real providers' endpoints. */
import { Problem } from '../../../../lib/problem.ts';
import { settings } from '../config.ts';
import type { OAuthProviderName } from '../db/schema.ts';
import type { Env } from '../env.ts';

export interface GoogleProvider {
  name: 'google';
  clientId: string;
  clientSecret: string;
  /** Issuers accepted in the ID token (Google uses both spellings). */
  issuers: string[];
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  scope: string;
}

export interface GitHubProvider {
  name: 'github';
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  apiUrl: string;
  scope: string;
}

export type Provider = GoogleProvider | GitHubProvider;

const GOOGLE_ISSUER = 'https://accounts.google.com';

export function provider(env: Env, name: OAuthProviderName): Provider {
  const s = settings(env);
  if (name === 'google') {
    if (!s.GOOGLE_CLIENT_ID || !s.GOOGLE_CLIENT_SECRET) throw notConfigured(name);
    const issuer = s.GOOGLE_ISSUER || GOOGLE_ISSUER;
    return {
      name,
      clientId: s.GOOGLE_CLIENT_ID,
      clientSecret: s.GOOGLE_CLIENT_SECRET,
      issuers: issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, 'accounts.google.com'] : [issuer],
      authorizationUrl: s.GOOGLE_AUTHORIZATION_URL || 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: s.GOOGLE_TOKEN_URL || 'https://oauth2.googleapis.com/token',
      jwksUrl: s.GOOGLE_JWKS_URL || 'https://www.googleapis.com/oauth2/v3/certs',
      scope: 'openid email profile',
    };
  }
  if (!s.GITHUB_CLIENT_ID || !s.GITHUB_CLIENT_SECRET) throw notConfigured(name);
  return {
    name,
    clientId: s.GITHUB_CLIENT_ID,
    clientSecret: s.GITHUB_CLIENT_SECRET,
    authorizationUrl: s.GITHUB_AUTHORIZATION_URL || 'https://github.com/login/oauth/authorize',
    tokenUrl: s.GITHUB_TOKEN_URL || 'https://github.com/login/oauth/access_token',
    apiUrl: (s.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    scope: 'read:user user:email',
  };
}

function notConfigured(name: string) {
  return Problem.notFound(`Signing in with ${name} is not configured here.`);
}

/** The callback URL registered with the provider. */
export function callbackUrl(origin: string, name: OAuthProviderName): string {
  return `${origin}/auth/oauth/${name}/callback`;
}

/** The identity a provider vouches for. */
export interface Identity {
  provider: OAuthProviderName;
  subject: string;
  email: string;
  /** Whether the provider says the email is verified; without it the sign-in goes nowhere. */
  emailVerified: boolean;
  name: string;
}

/** What the callback hands a provider to turn the code into an identity. */
export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  nonce: string;
}

/** POSTs a form to a provider and answers its JSON; provider trouble is a 502. */
export async function postForm(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new Problem('bad_gateway', 'The identity provider could not be reached.');
  }
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body) throw new Problem('bad_gateway', `The identity provider answered ${res.status} without JSON.`);
  if (typeof body.error === 'string') {
    throw Problem.badRequest(`The identity provider refused the code (${body.error}).`);
  }
  if (!res.ok) throw new Problem('bad_gateway', `The identity provider answered ${res.status}.`);
  return body;
}
