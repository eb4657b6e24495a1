import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { client, clientIp, newestMailTo, signUp, uniqueEmail } from './support/auth-client.ts';
import { baseUrl } from './support/http.ts';
import { Browser } from './support/idp-browser.ts';

const callbackOf = (provider: string) => `${baseUrl()}/auth/oauth/${provider}/callback`;

function browser() {
  return new Browser({ 'CF-Connecting-IP': clientIp() });
}

async function start(b: Browser, provider: 'google' | 'github', query = '') {
  const res = await b.request(`${baseUrl()}/auth/oauth/${provider}/start${query}`);
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function finish(b: Browser, callbackUrl: string) {
  const res = await b.request(callbackUrl);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Signs in at the Google stand-in as `login` and comes back to the platform. */
async function viaGoogle(login: string, query = '') {
  const b = browser();
  const authorize = await start(b, 'google', query);
  return finish(b, await b.signIn(authorize.toString(), login, callbackOf('google')));
}

/** The GitHub stand-in signs `login` in and approves at once. */
async function githubCallback(b: Browser, login: string) {
  const authorize = await start(b, 'github');
  authorize.searchParams.set('login', login);
  const res = await b.request(authorize.toString());
  return res.headers.get('location')!;
}

describe('Google (OpenID Connect) sign-in', () => {
  it('signs a new user up and in; the token opens /auth/me', async () => {
    const login = `g-${randomUUID().slice(0, 8)}`;
    const res = await viaGoogle(login);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: `${login}@google.test`, expiresIn: 900 });
    const me = await client().call('GET', '/auth/me', { token: res.body.token });
    expect(me.body).toMatchObject({ userId: res.body.userId, roles: ['viewer'] });
    // A second sign-in finds the same account.
    expect((await viaGoogle(login)).body.userId).toBe(res.body.userId);
  });

  it('links to the password account with the same email once the account verified it', async () => {
    const c = client();
    const account = await signUp(c, { email: uniqueEmail('linked') });
    const mail = await newestMailTo(account.email, 'email_verification');
    expect((await c.call('POST', '/auth/verify-email', { body: { token: mail.token } })).status).toBe(204);
    const res = await viaGoogle(account.email);
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(account.userId);
  });

  it('with an allowed redirect_uri, redirects there with the tokens in the fragment', async () => {
    const target = `${baseUrl()}/app/signed-in`;
    const res = await viaGoogle(
      `g-${randomUUID().slice(0, 8)}`,
      `?redirect_uri=${encodeURIComponent(target)}`,
    );
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(target);
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('token')).toBeTruthy();
    expect(fragment.get('refreshToken')).toBeTruthy();
    expect((await client().call('GET', '/auth/me', { token: fragment.get('token')! })).status).toBe(200);
  });

  it('refuses a redirect_uri off the allow-list before going to Google', async () => {
    const res = await browser().request(
      `${baseUrl()}/auth/oauth/google/start?redirect_uri=${encodeURIComponent('https://evil.example/catch')}`,
    );
    expect(res.status).toBe(400);
  });

  it('refuses a bad state', async () => {
    const b = browser();
    const authorize = await start(b, 'google');
    const back = new URL(
      await b.signIn(authorize.toString(), `g-${randomUUID().slice(0, 8)}`, callbackOf('google')),
    );
    back.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const res = await finish(b, back.toString());
    expect(res.status).toBe(400);
  });

  it('refuses a replayed callback (state and code work once)', async () => {
    const b = browser();
    const authorize = await start(b, 'google');
    const back = await b.signIn(authorize.toString(), `g-${randomUUID().slice(0, 8)}`, callbackOf('google'));
    expect((await finish(b, back)).status).toBe(200);
    expect((await finish(b, back)).status).toBe(400);
  });

  it('refuses a callback delivered to another browser (login CSRF)', async () => {
    const attacker = browser();
    const authorize = await start(attacker, 'google');
    const back = await attacker.signIn(
      authorize.toString(),
      `attacker-${randomUUID().slice(0, 8)}`,
      callbackOf('google'),
    );
    const res = await finish(browser(), back);
    expect(res.status).toBe(400);
  });

  it('refuses an ID token with a wrong nonce (a code obtained for another nonce)', async () => {
    const b = browser();
    const authorize = await start(b, 'google');
    // Same state and PKCE challenge as the platform's request, but the attacker's nonce.
    authorize.searchParams.set('nonce', `attacker-${randomUUID()}`);
    const back = await b.signIn(authorize.toString(), `g-${randomUUID().slice(0, 8)}`, callbackOf('google'));
    const res = await finish(b, back);
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/nonce/);
  });

  it('refuses an ID token issued to another client (audience)', async () => {
    const res = await viaGoogle(`wrong-aud-${randomUUID().slice(0, 8)}`);
    expect(res.status).toBe(401);
  });

  it('refuses an ID token from another issuer', async () => {
    const res = await viaGoogle(`wrong-iss-${randomUUID().slice(0, 8)}`);
    expect(res.status).toBe(401);
  });

  it('refuses a Google account whose email is not verified', async () => {
    const res = await viaGoogle(`unverified-${randomUUID().slice(0, 8)}`);
    expect(res.status).toBe(403);
  });

  it('refuses an authorization code from another sign-in (PKCE)', async () => {
    const attacker = browser();
    const stolen = new URL(
      await attacker.signIn(
        (await start(attacker, 'google')).toString(),
        `g-${randomUUID().slice(0, 8)}`,
        callbackOf('google'),
      ),
    );
    const victim = browser();
    const own = new URL(
      await victim.signIn(
        (await start(victim, 'google')).toString(),
        `g-${randomUUID().slice(0, 8)}`,
        callbackOf('google'),
      ),
    );
    own.searchParams.set('code', stolen.searchParams.get('code')!);
    expect((await finish(victim, own.toString())).status).toBe(400);
  });
});

describe('GitHub sign-in', () => {
  it('signs a new user in with the verified primary email', async () => {
    const login = `octo-${randomUUID().slice(0, 8)}`;
    const b = browser();
    const res = await finish(b, await githubCallback(b, login));
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(`${login}@github.test`);
    const me = await client().call('GET', '/auth/me', { token: res.body.token });
    expect(me.body).toMatchObject({ userId: res.body.userId, name: login });
  });

  it('sends PKCE S256 and a state to GitHub', async () => {
    const authorize = await start(browser(), 'github');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email');
  });

  it('refuses an account without a verified primary email', async () => {
    const b = browser();
    const res = await finish(b, await githubCallback(b, `unverified-${randomUUID().slice(0, 8)}`));
    expect(res.status).toBe(403);
  });

  it('refuses a bad state', async () => {
    const b = browser();
    const back = new URL(await githubCallback(b, `octo-${randomUUID().slice(0, 8)}`));
    back.searchParams.set('state', 'not-the-state');
    expect((await finish(b, back.toString())).status).toBe(400);
  });

  it('refuses an authorization code from another sign-in (PKCE)', async () => {
    const attacker = browser();
    const stolen = new URL(await githubCallback(attacker, `octo-${randomUUID().slice(0, 8)}`));
    const victim = browser();
    const own = new URL(await githubCallback(victim, `octo-${randomUUID().slice(0, 8)}`));
    own.searchParams.set('code', stolen.searchParams.get('code')!);
    expect((await finish(victim, own.toString())).status).toBe(400);
  });
});
