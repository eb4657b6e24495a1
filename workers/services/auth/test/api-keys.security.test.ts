import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { API_KEY_SCOPES, createApiKey } from '../src/contract/api-keys.ts';
import { admin, auth, call, issueKey, keyCaller, signup, userCaller } from './support/service.ts';

/** Rewrites a key's stored scopes as a key issued before the scope list changed would have them. */
async function legacyScopes(keyId: string, scopes: string[]) {
  await env.DB.prepare('UPDATE api_keys SET scopes = ? WHERE id = ?')
    .bind(JSON.stringify(scopes), keyId)
    .run();
}

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

  it('an API key cannot mint API keys, whatever its scopes', async () => {
    const { key } = await issueKey([...API_KEY_SCOPES]);
    const verified = (await auth.verifyApiKey(key.key))!;
    const reply = await call(
      'auth.createApiKey',
      { body: { name: 'offspring', scopes: ['ops'] } },
      keyCaller(verified),
    );
    expect(reply.status).toBe(403);
  });

  it('no API key changes roles, deletes users, revokes keys, rotates signing keys or reads mail', async () => {
    const { key } = await issueKey([...API_KEY_SCOPES]);
    const caller = keyCaller((await auth.verifyApiKey(key.key))!);
    const user = await signup();
    const replies = await Promise.all([
      call('auth.setRoles', { params: { userId: user.userId }, body: { roles: ['admin'] } }, caller),
      call('auth.deleteUser', { params: { userId: user.userId } }, caller),
      call('auth.revokeApiKey', { params: { keyId: key.id } }, caller),
      call('auth.rotateSigningKeys', {}, caller),
      call('auth.mailbox', { query: { page: 1, limit: 5 } }, caller),
    ]);
    expect(replies.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
  });

  it('the admin scope can no longer be issued', () => {
    const schema = createApiKey.route.request.body.content['application/json'].schema;
    expect(schema.safeParse({ name: 'x', scopes: ['admin'] }).success).toBe(false);
    expect(API_KEY_SCOPES).not.toContain('admin');
  });

  it('a key issued with the admin scope before it was retired gains nothing from it', async () => {
    const { key: only } = await issueKey(['ops']);
    const { key: mixed } = await issueKey(['ops']);
    await legacyScopes(only.id, ['admin']);
    await legacyScopes(mixed.id, ['admin', 'videos:read']);
    expect(await auth.verifyApiKey(only.key)).toBeNull();
    expect((await auth.verifyApiKey(mixed.key))?.scopes).toEqual(['videos:read']);
  });

  it('migration 0004 strips the admin scope and revokes the keys it leaves with none', async () => {
    const { key: only } = await issueKey(['ops']);
    const { key: mixed } = await issueKey(['ops']);
    const { key: plain } = await issueKey(['videos:write']);
    await legacyScopes(only.id, ['admin']);
    await legacyScopes(mixed.id, ['videos:read', 'admin', 'ops']);
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0004_'));
    const updates = migration!.queries.filter((q) => /\bUPDATE\s+`?api_keys/i.test(q));
    expect(updates.length).toBeGreaterThan(0);
    for (const q of updates) await env.DB.prepare(q).run();
    const row = (id: string) =>
      env.DB.prepare('SELECT scopes, revoked_at FROM api_keys WHERE id = ?')
        .bind(id)
        .first<{ scopes: string; revoked_at: number | null }>();
    expect(await row(only.id)).toMatchObject({ scopes: '[]' });
    expect((await row(only.id))?.revoked_at).not.toBeNull();
    expect(await row(mixed.id)).toEqual({ scopes: '["videos:read","ops"]', revoked_at: null });
    expect(await row(plain.id)).toEqual({ scopes: '["videos:write"]', revoked_at: null });
  });

  it('an ops key stops listing keys as soon as its owner is no longer an admin', async () => {
    const root = await admin();
    const owner = await signup();
    await call('auth.setRoles', { params: { userId: owner.userId }, body: { roles: ['admin'] } }, root);
    const issued = await call(
      'auth.createApiKey',
      { body: { name: 'ops console', scopes: ['ops'] } },
      userCaller(owner.userId, ['viewer', 'admin']),
    );
    const caller = keyCaller((await auth.verifyApiKey(issued.body.key))!);
    expect((await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, caller)).status).toBe(200);
    await call('auth.setRoles', { params: { userId: owner.userId }, body: { roles: ['viewer'] } }, root);
    // The gateway's cached resolution of the key still names it; the service reads the owner's roles.
    expect((await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, caller)).status).toBe(403);
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
