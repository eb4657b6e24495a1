import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  admin,
  anonymous,
  auth,
  call,
  eventsOf,
  login,
  signup,
  tokenHeader,
  uniqueEmail,
  userCaller,
  verify,
} from './support/service.ts';

describe('signing up and in', () => {
  it('signup answers 201 with a verifiable RS256 access token and an opaque refresh token', async () => {
    const email = uniqueEmail('ada');
    const reply = await call('auth.signup', { body: { email, password: 'analytical engine', name: 'Ada' } });
    expect(reply.status).toBe(201);
    expect(reply.headers?.['Cache-Control']).toBe('no-store');
    const body = reply.body as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(['email', 'expiresIn', 'refreshToken', 'token', 'userId']);
    expect(body.email).toBe(email);
    expect(body.expiresIn).toBeLessThanOrEqual(900);
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const claims = await verify(body.token);
    expect(claims.sub).toBe(body.userId);
    expect(claims.roles).toEqual(['viewer']);
    expect(claims.iss).toBe(env.JWT_ISSUER);
    expect(claims.aud).toBe(env.JWT_AUDIENCE);
    expect(claims.exp - claims.iat!).toBe(body.expiresIn);
    const header = tokenHeader(body.token);
    expect(header.alg).toBe('RS256');
    expect((await auth.jwks()).keys.map((k) => k.kid)).toContain(header.kid);
  });

  it('signup publishes UserRegistered without any secret', async () => {
    const user = await signup({ name: 'Grace' });
    const [event] = await eventsOf('UserRegistered', user.userId);
    expect(event?.body.data).toEqual({
      userId: user.userId,
      email: user.email,
      name: 'Grace',
      roles: ['viewer'],
      provider: 'password',
    });
    expect(event?.body.source).toBe('auth');
    expect(JSON.stringify(event)).not.toContain(user.password);
    expect(JSON.stringify(event)).not.toContain(user.refreshToken);
  });

  it('login answers 200 with the same shape and publishes UserLoggedIn', async () => {
    const user = await signup();
    const reply = await login(user.email, user.password);
    expect(reply.status).toBe(200);
    const body = reply.body as Record<string, any>;
    expect(body.userId).toBe(user.userId);
    expect(body.email).toBe(user.email);
    expect((await verify(body.token)).sub).toBe(user.userId);
    const events = await eventsOf('UserLoggedIn', user.userId);
    expect(events[0]?.body.data).toEqual({ userId: user.userId, method: 'password' });
  });

  it('compares emails case-insensitively and keeps the typed form', async () => {
    const email = `Mixed.Case-${crypto.randomUUID().slice(0, 8)}@Example.COM`;
    const user = await signup({ email });
    const reply = await login(email.toLowerCase(), user.password);
    expect(reply.status).toBe(200);
    expect((reply.body as { email: string }).email).toBe(email);
  });

  it('GET /auth/me answers the account behind the token', async () => {
    const user = await signup({ name: 'Linus' });
    const claims = await verify(user.token);
    const reply = await call('auth.me', {}, userCaller(claims.sub, claims.roles));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      userId: user.userId,
      email: user.email,
      name: 'Linus',
      roles: ['viewer'],
      emailVerified: false,
    });
  });
});

describe('refresh and logout', () => {
  it('refresh rotates: a new access token and a new refresh token in the same session', async () => {
    const user = await signup();
    const reply = await call('auth.refresh', { body: { refreshToken: user.refreshToken } });
    expect(reply.status).toBe(200);
    const pair = reply.body as { token: string; refreshToken: string; expiresIn: number };
    expect(Object.keys(pair).sort()).toEqual(['expiresIn', 'refreshToken', 'token']);
    expect(pair.refreshToken).not.toBe(user.refreshToken);
    const before = await verify(user.token);
    const after = await verify(pair.token);
    expect(after.sub).toBe(user.userId);
    expect((after as unknown as { sid: string }).sid).toBe((before as unknown as { sid: string }).sid);
    // The successor works in turn.
    const again = await call('auth.refresh', { body: { refreshToken: pair.refreshToken } });
    expect(again.status).toBe(200);
  });

  it('logout answers 204 and the session cannot refresh any more', async () => {
    const user = await signup();
    const out = await call('auth.logout', { body: { refreshToken: user.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.body).toBeUndefined();
    const reply = await call('auth.refresh', { body: { refreshToken: user.refreshToken } });
    expect(reply.status).toBe(401);
  });

  it('logout of one session leaves the other sessions alive', async () => {
    const user = await signup();
    const second = (await login(user.email, user.password)).body as { refreshToken: string };
    await call('auth.logout', { body: { refreshToken: user.refreshToken } });
    expect((await call('auth.refresh', { body: { refreshToken: second.refreshToken } })).status).toBe(200);
  });
});

describe('the seeded admin', () => {
  it('exists with roles viewer and admin once the service is ready', async () => {
    const report = await auth.ready();
    expect(report.ok).toBe(true);
    const caller = await admin();
    expect(caller.roles).toEqual(['viewer', 'admin']);
    const me = await call('auth.me', {}, caller);
    expect((me.body as { email: string }).email).toBe(env.ADMIN_EMAIL);
  });

  it('is created once, however often ready() runs', async () => {
    await Promise.all([auth.ready(), auth.ready(), call('auth.jwks', {}, anonymous())]);
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email_normalized = ?')
      .bind(env.ADMIN_EMAIL!.toLowerCase())
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });
});
