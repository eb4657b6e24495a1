import { describe, expect, it } from 'vitest';
import { client, decodeJwt, newestMailTo, signUp, uniqueEmail } from './support/auth-client.ts';

describe('identity over HTTP', () => {
  it('signup → me → refresh → logout, as the contract spells it', async () => {
    const c = client();
    const email = uniqueEmail('flow');
    const signup = await c.call('POST', '/auth/signup', {
      body: { email, password: 'e2e password 1', name: 'Flow' },
    });
    expect(signup.status).toBe(201);
    expect(signup.headers.get('cache-control')).toBe('no-store');
    expect(signup.headers.get('ratelimit-limit')).toBe('100');
    expect(signup.body).toMatchObject({ email, expiresIn: 900 });
    const { userId, token, refreshToken } = signup.body;
    const { header, claims } = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'RS256' });
    expect(claims).toMatchObject({
      sub: userId,
      roles: ['viewer'],
      iss: 'edge-video-auth',
      aud: 'edge-video-api',
    });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);

    const me = await c.call('GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId, email, name: 'Flow', roles: ['viewer'], emailVerified: false });

    const refreshed = await c.call('POST', '/auth/refresh', { body: { refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body).sort()).toEqual(['expiresIn', 'refreshToken', 'token']);
    expect((await c.call('GET', '/auth/me', { token: refreshed.body.token })).status).toBe(200);

    const out = await c.call('POST', '/auth/logout', { body: { refreshToken: refreshed.body.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.body).toBe('');
    const after = await c.call('POST', '/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toBe('application/problem+json');
  });

  it('login answers the signup shape; the email is case-insensitive; /v1 serves the same', async () => {
    const c = client();
    const account = await signUp(c);
    const login = await c.call('POST', '/v1/auth/login', {
      body: { email: account.email.toUpperCase(), password: account.password },
    });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body).sort()).toEqual(['email', 'expiresIn', 'refreshToken', 'token', 'userId']);
    expect(login.body.userId).toBe(account.userId);
  });

  it('signup with a registered email (other case) is 409', async () => {
    const c = client();
    const account = await signUp(c);
    const again = await c.call('POST', '/auth/signup', {
      body: { email: account.email.toUpperCase(), password: 'another password', name: 'Twin' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, title: 'Conflict' });
  });

  it('a wrong password and an unknown email answer the same 401', async () => {
    const c = client();
    const account = await signUp(c);
    const wrong = await c.call('POST', '/auth/login', {
      body: { email: account.email, password: 'wrong one' },
    });
    const ghost = await c.call('POST', '/auth/login', {
      body: { email: uniqueEmail('ghost'), password: 'wrong one' },
    });
    expect(wrong.status).toBe(401);
    expect(ghost.status).toBe(401);
    expect(ghost.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
    const strip = (b: any) => ({ ...b, requestId: undefined });
    expect(strip(ghost.body)).toEqual(strip(wrong.body));
  });

  it('password reset: 202, the token from the mailbox sets a new password and ends every session', async () => {
    const c = client();
    const account = await signUp(c);
    const reset = await c.call('POST', '/auth/password-reset', { body: { email: account.email } });
    expect(reset.status).toBe(202);
    expect(
      (await c.call('POST', '/auth/password-reset', { body: { email: uniqueEmail('nobody') } })).status,
    ).toBe(202);

    const mail = await newestMailTo(account.email);
    expect(mail.text).toContain(mail.token);

    const done = await c.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'brand new password' },
    });
    expect(done.status).toBe(204);
    expect(
      (await c.call('POST', '/auth/refresh', { body: { refreshToken: account.refreshToken } })).status,
    ).toBe(401);
    const old = await c.call('POST', '/auth/login', {
      body: { email: account.email, password: account.password },
    });
    expect(old.status).toBe(401);
    const fresh = await c.call('POST', '/auth/login', {
      body: { email: account.email, password: 'brand new password' },
    });
    expect(fresh.status).toBe(200);
  });

  it('publishes every public auth route in /openapi.json', async () => {
    const doc = await client().call('GET', '/openapi.json');
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/auth/signup',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/me',
      '/auth/password-reset',
      '/auth/password-reset/complete',
      '/.well-known/jwks.json',
      '/auth/oauth/{provider}/start',
      '/auth/oauth/{provider}/callback',
      '/auth/users/{userId}/roles',
      '/auth/api-keys',
      '/auth/api-keys/{keyId}',
      '/auth/keys/rotate',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain('/internal/outbox');
    expect(doc.body.components.schemas.SignupRequest.required).toEqual(['email', 'password', 'name']);
  });

  it('serves the JWKS publicly and cacheably', async () => {
    const res = await client().call('GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=300/);
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.body.keys.length).toBeGreaterThanOrEqual(2);
    for (const k of res.body.keys) expect(k).not.toHaveProperty('d');
  });
});
