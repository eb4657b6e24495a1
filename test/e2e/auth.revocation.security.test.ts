/**
 * Access tokens are revoked at the door: a role change, a logout, a revoked refresh family, a
 * password reset or a deleted account kills the account's tokens within REVOCATION_DELAY_MS, and
 * the gateway refuses tokens whose timestamps a genuine issuer would never have written.
 */
import { describe, expect, it } from 'vitest';
import { REVOCATION_DELAY_MS } from '../../workers/lib/access-token.ts';
import { adminToken, type Client, client, newestMailTo, signUp } from './support/auth-client.ts';
import { genuineSigningKey, mint } from './support/auth-signing-key.ts';

/** Slack for the HTTP round trips of the polling itself. */
const SLACK_MS = 1000;

/** Polls until the gateway refuses the token; answers how long after `since` that was. */
async function refusedAfter(c: Client, token: string, since: number, path = '/auth/me'): Promise<number> {
  for (;;) {
    const res = await c.call('GET', path, { token });
    if (res.status === 401) {
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      return Date.now() - since;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (Date.now() - since > REVOCATION_DELAY_MS + 5000) throw new Error('the token is still accepted');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectRefusedInTime(c: Client, token: string, since: number, path?: string) {
  expect(await refusedAfter(c, token, since, path)).toBeLessThanOrEqual(REVOCATION_DELAY_MS + SLACK_MS);
}

describe('revoked access tokens', () => {
  it('a demoted admin cannot promote himself back with his old token', async () => {
    const c = client();
    const admin = await adminToken(c);
    const user = await signUp(c);
    const path = `/auth/users/${user.userId}/roles`;
    expect((await c.call('PUT', path, { token: admin, body: { roles: ['viewer', 'admin'] } })).status).toBe(
      200,
    );
    const promoted = (await c.call('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }))
      .body;
    expect((await c.call('GET', '/auth/api-keys', { token: promoted.token })).status).toBe(200);

    expect((await c.call('PUT', path, { token: admin, body: { roles: ['viewer'] } })).status).toBe(200);
    const demotedAt = Date.now();
    // At once, whatever the door still knows: the service reads his roles from its database.
    const back = await c.call('PUT', path, { token: promoted.token, body: { roles: ['viewer', 'admin'] } });
    expect([401, 403]).toContain(back.status);
    expect((await c.call('GET', '/auth/api-keys', { token: promoted.token })).status).not.toBe(200);
    await expectRefusedInTime(c, promoted.token, demotedAt);
    const me = await c.call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
    expect((await c.call('GET', '/auth/me', { token: me.body.token })).body.roles).toEqual(['viewer']);
  });

  it('an access token stops working within seconds of logout', async () => {
    const c = client();
    const user = await signUp(c);
    expect((await c.call('GET', '/auth/me', { token: user.token })).status).toBe(200);
    expect((await c.call('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(
      204,
    );
    await expectRefusedInTime(c, user.token, Date.now());
  });

  it('an access token stops working within seconds of its refresh token being replayed', async () => {
    const c = client();
    const user = await signUp(c);
    const next = (await c.call('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } })).body;
    expect((await c.call('GET', '/auth/me', { token: next.token })).status).toBe(200);
    // A thief replays the spent refresh token: the family dies, and with it the live access token.
    expect(
      (await c.call('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } })).status,
    ).toBe(401);
    await expectRefusedInTime(c, next.token, Date.now());
  });

  it('every access token stops working within seconds of a password reset', async () => {
    const c = client();
    const user = await signUp(c);
    const otherDevice = (
      await c.call('POST', '/auth/login', { body: { email: user.email, password: user.password } })
    ).body;
    expect((await c.call('POST', '/auth/password-reset', { body: { email: user.email } })).status).toBe(202);
    const mail = await newestMailTo(user.email);
    const done = await c.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'a brand new password' },
    });
    expect(done.status).toBe(204);
    const resetAt = Date.now();
    await expectRefusedInTime(c, user.token, resetAt);
    await expectRefusedInTime(c, otherDevice.token, resetAt);
    const fresh = await c.call('POST', '/auth/login', {
      body: { email: user.email, password: 'a brand new password' },
    });
    expect((await c.call('GET', '/auth/me', { token: fresh.body.token })).status).toBe(200);
  });

  it("a deleted user's access token stops working within seconds", async () => {
    const c = client();
    const admin = await adminToken(c);
    const user = await signUp(c);
    expect((await c.call('GET', '/videos', { token: user.token })).status).toBe(200);
    expect((await c.call('DELETE', `/auth/users/${user.userId}`, { token: admin })).status).toBe(204);
    // Even a public route refuses the token: credentials that are present must be good.
    await expectRefusedInTime(c, user.token, Date.now(), '/videos');
    expect(
      (await c.call('POST', '/auth/login', { body: { email: user.email, password: user.password } })).status,
    ).toBe(401);
    expect((await c.call('DELETE', `/auth/users/${user.userId}`, { token: admin })).status).toBe(404);
  });

  it('a viewer cannot delete an account; an anonymous caller not at all', async () => {
    const c = client();
    const user = await signUp(c);
    const victim = await signUp(c);
    expect((await c.call('DELETE', `/auth/users/${victim.userId}`, { token: user.token })).status).toBe(403);
    expect((await c.call('DELETE', `/auth/users/${victim.userId}`)).status).toBe(401);
  });
});

describe('tokens no genuine issuer writes', () => {
  it('a token issued in the future is refused', async () => {
    const c = client();
    const user = await signUp(c);
    const token = await mint(await genuineSigningKey(), {
      sub: user.userId,
      issuedAgo: -300,
      expiresIn: 600,
    });
    expect((await c.call('GET', '/auth/me', { token })).status).toBe(401);
  });

  it('a token that lives longer than 15 minutes is refused', async () => {
    const c = client();
    const user = await signUp(c);
    const token = await mint(await genuineSigningKey(), { sub: user.userId, expiresIn: 24 * 3600 });
    expect((await c.call('GET', '/auth/me', { token })).status).toBe(401);
  });

  it('a token for an account that does not exist is refused, whatever roles it claims', async () => {
    const c = client();
    const token = await mint(await genuineSigningKey(), {
      sub: 'usr_nobody_at_all',
      roles: ['viewer', 'admin'],
    });
    expect((await c.call('GET', '/auth/api-keys', { token })).status).toBe(401);
  });
});
