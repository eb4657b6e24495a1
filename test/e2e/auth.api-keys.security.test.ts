/**
 * API keys carry fine-grained scopes and nothing more: a key passes the routes that name one of its
 * scopes, and no key changes roles, deletes accounts, issues keys, rotates signing keys or reads mail.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES } from '../../workers/services/auth/src/contract/api-keys.ts';
import { adminToken, type Client, client, internalClient, signUp } from './support/auth-client.ts';

async function issue(c: Client, scopes: string[]) {
  const res = await c.call('POST', '/auth/api-keys', {
    token: await adminToken(c),
    body: { name: `scopes ${scopes.join(' ')}`, scopes },
  });
  return res;
}

describe('API key scopes', () => {
  it('an API key with the admin scope cannot be issued', async () => {
    const c = client();
    const res = await issue(c, ['admin']);
    expect(res.status).toBe(400);
  });

  it('an API key with the admin scope cannot change roles', async () => {
    const c = client();
    const user = await signUp(c);
    // The widest key there is: every scope that can be issued.
    const key = (await issue(c, [...API_KEY_SCOPES])).body.key;
    const res = await c.call('PUT', `/auth/users/${user.userId}/roles`, {
      headers: { 'X-API-Key': key },
      body: { roles: ['viewer', 'admin'] },
    });
    expect(res.status).toBe(403);
    const me = await c.call('GET', '/auth/me', { token: user.token });
    expect(me.body.roles).toEqual(['viewer']);
  });

  it('no API key can read mail, rotate signing keys, issue or revoke keys or delete accounts', async () => {
    const c = internalClient();
    const user = await signUp(c);
    const issued = (await issue(c, [...API_KEY_SCOPES])).body;
    const headers = { 'X-API-Key': issued.key };
    const attempts = await Promise.all([
      c.call('GET', '/internal/outbox', { headers }),
      c.call('POST', '/auth/keys/rotate', { headers }),
      c.call('POST', '/auth/api-keys', { headers, body: { name: 'offspring', scopes: ['ops'] } }),
      c.call('DELETE', `/auth/api-keys/${issued.id}`, { headers }),
      c.call('DELETE', `/auth/users/${user.userId}`, { headers }),
    ]);
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect((await c.call('GET', '/auth/me', { token: user.token })).status).toBe(200);
  });

  it('a key passes exactly the routes that name one of its scopes', async () => {
    const c = client();
    const writer = (await issue(c, ['videos:write'])).body.key;
    const auditor = (await issue(c, ['videos:admin'])).body.key;
    const created = await c.call('POST', '/videos', {
      headers: { 'X-API-Key': writer },
      body: { title: 'Scoped', description: 'made with a videos:write key', tags: [] },
    });
    expect(created.status).toBe(201);
    expect((await c.call('GET', '/audit-log', { headers: { 'X-API-Key': writer } })).status).toBe(403);
    expect((await c.call('GET', '/audit-log', { headers: { 'X-API-Key': auditor } })).status).toBe(200);
    expect((await c.call('GET', '/auth/api-keys', { headers: { 'X-API-Key': auditor } })).status).toBe(403);
    expect(
      (await c.call('DELETE', `/videos/${created.body.videoId}`, { headers: { 'X-API-Key': auditor } }))
        .status,
    ).toBe(403);
  });
});
