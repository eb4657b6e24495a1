import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { pkceChallenge } from '../src/oauth/flows.ts';
import { call, ORIGIN } from './support/service.ts';

async function start(query: Record<string, string> = {}, cookie?: string) {
  const reply = await call('auth.oauthStart', {
    params: { provider: 'google' },
    query,
    headers: cookie ? { cookie } : {},
  });
  return reply;
}

function cookieOf(setCookie: string) {
  return setCookie.split(';')[0]!;
}

async function started() {
  const reply = await start();
  const location = new URL(reply.headers!.Location!);
  return {
    reply,
    location,
    state: location.searchParams.get('state')!,
    cookie: cookieOf(reply.headers!['Set-Cookie']!),
  };
}

const callback = (query: Record<string, string>, cookie?: string) =>
  call('auth.oauthCallback', { params: { provider: 'google' }, query, headers: cookie ? { cookie } : {} });

describe('OAuth start', () => {
  it('redirects to the provider with code flow, PKCE S256, state and nonce', async () => {
    const { reply, location, state } = await started();
    expect(reply.status).toBe(302);
    expect(location.origin + location.pathname).toBe('https://idp.test/authorize');
    const q = Object.fromEntries(location.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: 'edge-video-test',
      redirect_uri: `${ORIGIN}/auth/oauth/google/callback`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // State, verifier and nonce are kept server-side; the state only as its hash.
    const row = await env.DB.prepare('SELECT * FROM oauth_flows WHERE state_hash = ?')
      .bind(await sha256Hex(state))
      .first<{ code_verifier: string; nonce: string; expires_at: number }>();
    expect(row).toBeTruthy();
    expect(await pkceChallenge(row!.code_verifier)).toBe(q.code_challenge);
    expect(row!.nonce).toBe(q.nonce);
    expect(row!.expires_at - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('binds the attempt to the browser with an HttpOnly, SameSite=Lax cookie', async () => {
    const { reply } = await started();
    const setCookie = reply.headers!['Set-Cookie']!;
    expect(setCookie).toMatch(
      /^evo_oauth=[A-Za-z0-9_-]{43}; Path=\/auth\/oauth; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
  });

  it('keeps a browser’s existing binding, so two tabs can sign in at once', async () => {
    const first = await started();
    const second = await start({}, first.cookie);
    expect(cookieOf(second.headers!['Set-Cookie']!)).toBe(first.cookie);
  });

  it('accepts a redirect_uri on the platform origin or the allow-list', async () => {
    expect((await start({ redirect_uri: `${ORIGIN}/app/signed-in` })).status).toBe(302);
    expect((await start({ redirect_uri: 'https://app.example.com/done' })).status).toBe(302);
  });

  it('refuses a redirect_uri elsewhere (no open redirect for tokens)', async () => {
    for (const uri of [
      'https://evil.example/steal',
      'https://app.example.com.evil.example/',
      'javascript:alert(1)',
      'https://user:pass@app.example.com/',
    ]) {
      const reply = await start({ redirect_uri: uri });
      expect(reply.status, uri).toBe(400);
    }
  });

  it('answers 404 for a provider that is not configured', async () => {
    const reply = await call('auth.oauthStart', { params: { provider: 'github' } });
    expect(reply.status).toBe(404);
  });
});

describe('OAuth callback attacks', () => {
  it('refuses an unknown state', async () => {
    const { cookie } = await started();
    const reply = await callback({ state: 'forged-state', code: 'abc' }, cookie);
    expect(reply.status).toBe(400);
  });

  it('refuses a callback without the browser cookie (login CSRF) and burns the attempt', async () => {
    const { state, cookie } = await started();
    const foreign = await callback(
      { state, code: 'abc' },
      'evo_oauth=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(foreign.status).toBe(400);
    expect(foreign.problem?.detail).toMatch(/another browser/);
    // The rightful browser cannot use it afterwards either: a state works once.
    expect((await callback({ state, code: 'abc' }, cookie)).status).toBe(400);
  });

  it('refuses a state issued for another provider', async () => {
    const { state, cookie } = await started();
    const reply = await call('auth.oauthCallback', {
      params: { provider: 'github' },
      query: { state, code: 'abc' },
      headers: { cookie },
    });
    expect(reply.status).toBe(404); // GitHub is not configured in these tests
    const row = await env.DB.prepare('SELECT used_at FROM oauth_flows WHERE state_hash = ?')
      .bind(await sha256Hex(state))
      .first<{ used_at: number | null }>();
    expect(row?.used_at).toBeNull();
  });

  it('refuses an expired attempt', async () => {
    const { state, cookie } = await started();
    await env.DB.prepare('UPDATE oauth_flows SET expires_at = ? WHERE state_hash = ?')
      .bind(Date.now() - 1, await sha256Hex(state))
      .run();
    expect((await callback({ state, code: 'abc' }, cookie)).status).toBe(400);
  });

  it('reports a provider refusal as 400 and spends the attempt', async () => {
    const { state, cookie } = await started();
    const reply = await callback({ state, error: 'access_denied' }, cookie);
    expect(reply.status).toBe(400);
    expect(reply.problem?.detail).toContain('access_denied');
    expect((await callback({ state, code: 'abc' }, cookie)).status).toBe(400);
  });

  it('answers 502 when the provider is down', async () => {
    const { state, cookie } = await started();
    const reply = await callback({ state, code: 'abc' }, cookie);
    expect(reply.status).toBe(502);
  });
});
