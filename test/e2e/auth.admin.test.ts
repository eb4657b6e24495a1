import { describe, expect, it } from 'vitest';
import { adminToken, client, decodeJwt, signUp } from './support/auth-client.ts';

describe('API keys at the door', () => {
  it('a key with the wrong scope gets 403; one with the right scope passes', async () => {
    const c = client();
    const admin = await adminToken(c);
    const reader = await c.call('POST', '/auth/api-keys', {
      token: admin,
      body: { name: 'catalog reader', scopes: ['videos:read'] },
    });
    expect(reader.status).toBe(201);
    expect(reader.body.key.startsWith(reader.body.prefix)).toBe(true);
    const ops = await c.call('POST', '/auth/api-keys', {
      token: admin,
      body: { name: 'ops console', scopes: ['ops'] },
    });

    // Listing keys needs admin or the ops scope.
    const denied = await c.call('GET', '/auth/api-keys', { headers: { 'X-API-Key': reader.body.key } });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/scope/);
    const allowed = await c.call('GET', '/auth/api-keys?limit=100', {
      headers: { 'X-API-Key': ops.body.key },
    });
    expect(allowed.status).toBe(200);
    expect(Number(allowed.headers.get('x-total-count'))).toBeGreaterThanOrEqual(2);
    const listed = allowed.body.find((k: { id: string }) => k.id === reader.body.id);
    expect(listed).toMatchObject({ prefix: reader.body.prefix, scopes: ['videos:read'], revokedAt: null });
    expect(JSON.stringify(allowed.body)).not.toContain(reader.body.key);
  });

  it('an unknown key is 401, and a key cannot open routes that take no keys', async () => {
    const c = client();
    expect(
      (await c.call('GET', '/auth/api-keys', { headers: { 'X-API-Key': 'evk_00000000_nope' } })).status,
    ).toBe(401);
    const admin = await adminToken(c);
    const key = (
      await c.call('POST', '/auth/api-keys', { token: admin, body: { name: 'x', scopes: ['ops'] } })
    ).body.key;
    // Role changes take no API key at all, whatever its scopes.
    const res = await c.call('PUT', '/auth/users/usr_x/roles', {
      headers: { 'X-API-Key': key },
      body: { roles: ['admin'] },
    });
    expect(res.status).toBe(403);
  });

  it('an unknown scope is refused at issue time', async () => {
    const c = client();
    const res = await c.call('POST', '/auth/api-keys', {
      token: await adminToken(c),
      body: { name: 'greedy', scopes: ['everything'] },
    });
    expect(res.status).toBe(400);
  });
});

describe('role changes', () => {
  it('an admin promotes a viewer: the next refresh carries admin, and admin routes open', async () => {
    const c = client();
    const user = await signUp(c);
    expect((await c.call('GET', '/auth/api-keys', { token: user.token })).status).toBe(403);

    const changed = await c.call('PUT', `/auth/users/${user.userId}/roles`, {
      token: await adminToken(c),
      body: { roles: ['viewer', 'admin'] },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ userId: user.userId, roles: ['viewer', 'admin'] });

    const pair = await c.call('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
    expect(decodeJwt(pair.body.token).claims.roles).toEqual(['viewer', 'admin']);
    expect((await c.call('GET', '/auth/api-keys', { token: pair.body.token })).status).toBe(200);
  });

  it('a viewer cannot change roles (403), an anonymous caller not at all (401)', async () => {
    const c = client();
    const user = await signUp(c);
    const path = `/auth/users/${user.userId}/roles`;
    expect((await c.call('PUT', path, { token: user.token, body: { roles: ['admin'] } })).status).toBe(403);
    expect((await c.call('PUT', path, { body: { roles: ['admin'] } })).status).toBe(401);
  });

  it('an unknown role is a 400', async () => {
    const c = client();
    const user = await signUp(c);
    const res = await c.call('PUT', `/auth/users/${user.userId}/roles`, {
      token: await adminToken(c),
      body: { roles: ['superuser'] },
    });
    expect(res.status).toBe(400);
  });
});
