import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { admin, auth, call, issueKey, keyCaller, signup, userCaller } from './support/service.ts';

describe('API key attacks', () => {
  it('a revoked key verifies to null', async () => {
    const { caller, key } = await issueKey(['videos:read']);
    await call('auth.revokeApiKey', { params: { keyId: key.id } }, caller);
    expect(await auth.verifyApiKey(key.key)).toBeNull();
  });

  it('an unknown, malformed or truncated key verifies to null', async () => {
    const { key } = await issueKey(['videos:read']);
    const flipped = key.key.endsWith('A') ? 'B' : 'A';
    expect(await auth.verifyApiKey(`${key.key.slice(0, -1)}${flipped}`)).toBeNull();
    expect(await auth.verifyApiKey(key.prefix)).toBeNull();
    expect(await auth.verifyApiKey('')).toBeNull();
    expect(await auth.verifyApiKey("evk_' OR 1=1 --")).toBeNull();
  });

  it('an expired key verifies to null', async () => {
    const { key } = await issueKey(['videos:read'], { expiresInDays: 1 });
    await env.DB.prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, key.id)
      .run();
    expect(await auth.verifyApiKey(key.key)).toBeNull();
  });

  it('keys die with their owner’s admin role', async () => {
    const { caller, key } = await issueKey(['videos:read']);
    const other = await signup();
    await call('auth.setRoles', { params: { userId: other.userId }, body: { roles: ['admin'] } }, caller);
    // The issuing admin is demoted by the other admin.
    const demote = await call(
      'auth.setRoles',
      { params: { userId: caller.userId! }, body: { roles: ['viewer'] } },
      userCaller(other.userId, ['viewer', 'admin']),
    );
    expect(demote.status).toBe(200);
    expect(await auth.verifyApiKey(key.key)).toBeNull();
    // Restore, for the other tests of this file.
    await call(
      'auth.setRoles',
      { params: { userId: caller.userId! }, body: { roles: ['viewer', 'admin'] } },
      userCaller(other.userId, ['viewer', 'admin']),
    );
  });

  it('stores only the SHA-256 of a key', async () => {
    const { key } = await issueKey(['ops']);
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(key.id).first();
    expect(row?.key_hash).toBe(await sha256Hex(key.key));
    expect(JSON.stringify(row)).not.toContain(key.key);
  });

  it('an API key cannot mint API keys, even with the admin scope', async () => {
    const { key } = await issueKey(['admin']);
    const verified = (await auth.verifyApiKey(key.key))!;
    const reply = await call(
      'auth.createApiKey',
      { body: { name: 'offspring', scopes: ['admin'] } },
      keyCaller(verified),
    );
    expect(reply.status).toBe(403);
  });

  it('a viewer cannot issue, list or revoke keys', async () => {
    const user = await signup();
    const viewer = userCaller(user.userId);
    expect((await call('auth.createApiKey', { body: { name: 'x', scopes: ['ops'] } }, viewer)).status).toBe(
      403,
    );
    expect((await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, viewer)).status).toBe(403);
    expect((await call('auth.revokeApiKey', { params: { keyId: 'key_x' } }, viewer)).status).toBe(403);
  });

  it('a key with only videos:read cannot list keys', async () => {
    const { key } = await issueKey(['videos:read']);
    const verified = (await auth.verifyApiKey(key.key))!;
    const reply = await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, keyCaller(verified));
    expect(reply.status).toBe(403);
  });

  it('revoking an unknown key answers 404', async () => {
    expect((await call('auth.revokeApiKey', { params: { keyId: 'key_nope' } }, await admin())).status).toBe(
      404,
    );
  });
});
