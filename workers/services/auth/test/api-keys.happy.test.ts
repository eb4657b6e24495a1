import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES } from '../src/contract/api-keys.ts';
import { auth, call, issueKey, keyCaller } from './support/service.ts';

describe('API keys', () => {
  it('are issued once with their secret, a visible prefix and their scopes', async () => {
    const { caller, key } = await issueKey(['videos:read', 'videos:read', 'ops']);
    expect(key.key).toMatch(/^evk_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(key.prefix).toMatch(/^evk_[0-9a-z]{8}$/);
    expect(key.scopes).toEqual(['videos:read', 'ops']);
    expect(key.ownerId).toBe(caller.userId);
    expect(key.revokedAt).toBeNull();
  });

  it('verifyApiKey answers id, owner and scopes for a live key, and no roles', async () => {
    const { caller, key } = await issueKey(['videos:write']);
    expect(await auth.verifyApiKey(key.key)).toEqual({
      id: key.id,
      ownerId: caller.userId,
      scopes: ['videos:write'],
    });
  });

  it('every scope of the list can be issued', async () => {
    const { key } = await issueKey([...API_KEY_SCOPES]);
    expect(key.scopes).toEqual([...API_KEY_SCOPES]);
  });

  it('are listed newest first without secrets or hashes', async () => {
    const { caller, key } = await issueKey(['events:write']);
    const reply = await call('auth.listApiKeys', { query: { page: 1, limit: 100 } }, caller);
    expect(reply.status).toBe(200);
    const listed = reply.body as Record<string, unknown>[];
    expect(reply.total).toBeGreaterThanOrEqual(1);
    expect(listed[0]?.id).toBe(key.id);
    expect(JSON.stringify(listed)).not.toContain(key.key.slice(key.prefix.length + 1));
    expect(listed[0]).not.toHaveProperty('key');
    expect(listed[0]).not.toHaveProperty('keyHash');
  });

  it('an ops key may list keys', async () => {
    const { key } = await issueKey(['ops']);
    const verified = (await auth.verifyApiKey(key.key))!;
    const reply = await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, keyCaller(verified));
    expect(reply.status).toBe(200);
  });

  it('revoking answers 204, twice as well', async () => {
    const { caller, key } = await issueKey(['videos:read']);
    expect((await call('auth.revokeApiKey', { params: { keyId: key.id } }, caller)).status).toBe(204);
    expect((await call('auth.revokeApiKey', { params: { keyId: key.id } }, caller)).status).toBe(204);
  });
});
