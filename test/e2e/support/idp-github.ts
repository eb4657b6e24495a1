/**
 * A GitHub-shaped OAuth server (node:http) with the endpoints the auth service calls:
 * /login/oauth/authorize (PKCE S256, state), /login/oauth/access_token (answers errors with 200
 * and an `error` field, as GitHub does), /user and /user/emails.
 *
 * The authorize page stands for a browser already signed in to GitHub: `login` (a real GitHub
 * authorize parameter) names the user, who approves at once. Users exist for any login; their
 * primary email `<login>@github.test` is verified unless the login starts with `unverified`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const GITHUB_CLIENT = {
  clientId: 'Iv1.e2e0123456789',
  clientSecret: 'e2e-github-client-secret-0123456789',
};

export interface GitHubStandIn {
  url: string;
  server: Server;
}

interface Grant {
  login: string;
  challenge: string;
  redirectUri: string;
}

export function githubUserId(login: string): number {
  return createHash('sha256').update(login).digest().readUInt32BE(0);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if ((req.headers['content-type'] ?? '').includes('json')) {
    return new URLSearchParams(JSON.parse(raw || '{}') as Record<string, string>);
  }
  return new URLSearchParams(raw);
}

export async function startGitHub(platformOrigin: string): Promise<GitHubStandIn> {
  const callback = `${platformOrigin}/auth/oauth/github/callback`;
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, string>();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://github.test');
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== GITHUB_CLIENT.clientId) return send(res, 400, { error: 'unknown client' });
      if (q.get('redirect_uri') !== callback) return send(res, 400, { error: 'redirect_uri_mismatch' });
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge'))
        return send(res, 400, { error: 'PKCE S256 required' });
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        login: q.get('login') || 'octocat',
        challenge: q.get('code_challenge')!,
        redirectUri: callback,
      });
      const to = new URL(callback);
      to.searchParams.set('code', code);
      to.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { Location: to.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const f = await form(req);
      const grant = codes.get(f.get('code') ?? '');
      codes.delete(f.get('code') ?? '');
      const verifier = f.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const ok =
        f.get('client_id') === GITHUB_CLIENT.clientId &&
        f.get('client_secret') === GITHUB_CLIENT.clientSecret &&
        grant !== undefined &&
        f.get('redirect_uri') === grant.redirectUri &&
        challenge === grant.challenge;
      if (!ok)
        return send(res, 200, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      const token = `gho_${randomBytes(18).toString('hex')}`;
      accessTokens.set(token, grant.login);
      return send(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const login = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (req.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
      if (!login) return send(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/user')
        return send(res, 200, { id: githubUserId(login), login, name: null, email: null });
      return send(res, 200, [
        {
          email: `${login}@github.test`,
          primary: true,
          verified: !login.startsWith('unverified'),
          visibility: 'private',
        },
        { email: `${login}.old@github.test`, primary: false, verified: true, visibility: null },
      ]);
    }
    send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
