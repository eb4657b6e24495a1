/** GitHub: OAuth 2.0 only. The identity is the user id and the verified primary email from its API. */
import { Problem } from '../../../../lib/problem.ts';
import { type CodeExchange, type GitHubProvider, type Identity, postForm } from './providers.ts';

async function api<T>(p: GitHubProvider, path: string, accessToken: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${p.apiUrl}${path}`, {
      headers: {
        Authorization: `Bearer ${accessToken}`,
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        'User-Agent': 'edge-video-auth',
      },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new Problem('bad_gateway', 'GitHub could not be reached.');
  }
  if (!res.ok) throw new Problem('bad_gateway', `GitHub answered ${res.status} for ${path}.`);
  return (await res.json()) as T;
}

export async function githubIdentity(p: GitHubProvider, x: Omit<CodeExchange, 'nonce'>): Promise<Identity> {
  const tokens = await postForm(p.tokenUrl, {
    client_id: p.clientId,
    client_secret: p.clientSecret,
    code: x.code,
    redirect_uri: x.redirectUri,
    code_verifier: x.codeVerifier,
  });
  if (typeof tokens.access_token !== 'string')
    throw new Problem('bad_gateway', 'GitHub sent no access token.');
  const [user, emails] = await Promise.all([
    api<{ id: number; login: string; name?: string | null }>(p, '/user', tokens.access_token),
    api<{ email: string; primary: boolean; verified: boolean }[]>(p, '/user/emails', tokens.access_token),
  ]);
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary) : undefined;
  if (!primary) throw Problem.forbidden('The GitHub account has no verified primary email address.');
  if (typeof user.id !== 'number') throw new Problem('bad_gateway', 'GitHub sent no user id.');
  return {
    provider: 'github',
    subject: String(user.id),
    email: primary.email,
    emailVerified: primary.verified === true,
    name: user.name || user.login,
  };
}
