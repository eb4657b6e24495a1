import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RpcTarget } from '../../../lib/testing/rpc-client.ts';
import { anonymous, auth, call, login, signup, uniqueEmail, userCaller } from './support/service.ts';

describe('sign-up and sign-in errors', () => {
  it('signup with a registered email answers 409, whatever its case', async () => {
    const user = await signup();
    const reply = await call('auth.signup', {
      body: { email: user.email.toUpperCase(), password: 'another password', name: 'Copycat' },
    });
    expect(reply.status).toBe(409);
    expect(reply.problem?.code).toBe('conflict');
  });

  it('two concurrent signups with one email create one account', async () => {
    const email = uniqueEmail('race');
    const body = { email, password: 'racing password', name: 'Racer' };
    const replies = await Promise.all([call('auth.signup', { body }), call('auth.signup', { body })]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    const row = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email_normalized = ?')
      .bind(email)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it('a wrong password answers 401 with a Bearer challenge', async () => {
    const user = await signup();
    const reply = await login(user.email, 'not the password');
    expect(reply.status).toBe(401);
    expect(reply.problem?.headers?.['WWW-Authenticate']).toMatch(/^Bearer /);
  });

  it('an unknown email answers exactly what a wrong password answers', async () => {
    const user = await signup();
    const wrongPassword = await login(user.email, 'not the password');
    const unknownEmail = await login(uniqueEmail('nobody'), 'not the password');
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(unknownEmail.problem).toEqual(wrongPassword.problem);
  });

  it('an account without a password (OAuth only) cannot sign in with one', async () => {
    const email = uniqueEmail('oauth-only');
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO users (id, email, email_normalized, name, password_hash, roles, created_at, updated_at)
       VALUES (?, ?, ?, 'Oauth Only', NULL, '["viewer"]', ?, ?)`,
    )
      .bind(`usr_${crypto.randomUUID()}`, email, email, now, now)
      .run();
    expect((await login(email, 'x')).status).toBe(401);
    expect((await login(email, 'anything at all')).status).toBe(401);
  });
});

describe('refresh errors', () => {
  it('an unknown refresh token answers 401', async () => {
    const reply = await call('auth.refresh', { body: { refreshToken: 'not-a-token-we-issued' } });
    expect(reply.status).toBe(401);
    expect(reply.problem?.code).toBe('unauthorized');
  });

  it('an expired refresh token answers 401', async () => {
    const user = await signup();
    await env.DB.prepare(
      'UPDATE refresh_tokens SET expires_at = ? WHERE family_id IN (SELECT id FROM refresh_families WHERE user_id = ?)',
    )
      .bind(Date.now() - 1000, user.userId)
      .run();
    expect((await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
  });

  it('logout with an unknown token still answers 204', async () => {
    expect((await call('auth.logout', { body: { refreshToken: 'never-issued' } })).status).toBe(204);
  });
});

describe('/auth/me errors', () => {
  it('answers 401 when the account behind a valid token is gone', async () => {
    const user = await signup();
    await env.DB.prepare('DELETE FROM users WHERE id = ?').bind(user.userId).run();
    const reply = await call('auth.me', {}, userCaller(user.userId));
    expect(reply.status).toBe(401);
  });

  it('answers 401 to a caller without a user', async () => {
    expect((await call('auth.me', {}, anonymous())).status).toBe(401);
  });
});

describe('dispatch', () => {
  it('an unknown route id answers 404', async () => {
    const reply = await (auth as unknown as RpcTarget).handle(
      'auth.nothing',
      { params: {}, query: {}, body: undefined, headers: {} },
      anonymous(),
    );
    expect(reply.status).toBe(404);
  });
});
