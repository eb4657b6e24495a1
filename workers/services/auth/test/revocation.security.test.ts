import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../lib/api.ts';
import {
  admin,
  auth,
  call,
  eventsOf,
  issueKey,
  login,
  resetMailFor,
  type SignedUp,
  signup,
  userCaller,
  verify,
} from './support/service.ts';

const setRoles = (userId: string, roles: string[], caller: Caller) =>
  call('auth.setRoles', { params: { userId }, body: { roles } }, caller);
const deleteUser = (userId: string, caller: Caller) =>
  call('auth.deleteUser', { params: { userId } }, caller);

/** What the gateway decides at the door: a token minted before its account's last revocation is dead. */
async function isRevoked(token: string): Promise<boolean> {
  const claims = await verify(token);
  const notBefore = await auth.tokensNotBefore(claims.sub);
  return notBefore === null || claims.tnb < notBefore;
}

/** A fresh account promoted to admin, and the caller its (admin) token resolves to. */
async function secondAdmin(root: Caller): Promise<{ user: SignedUp; caller: Caller }> {
  const user = await signup();
  expect((await setRoles(user.userId, ['viewer', 'admin'], root)).status).toBe(200);
  return { user, caller: userCaller(user.userId, ['viewer', 'admin']) };
}

describe("what revokes an account's access tokens", () => {
  it("a new token carries the account's tokens-not-before and is live", async () => {
    const user = await signup();
    const claims = await verify(user.token);
    expect(claims.tnb).toBe(await auth.tokensNotBefore(user.userId));
    expect(await isRevoked(user.token)).toBe(false);
  });

  it('changing its roles', async () => {
    const user = await signup();
    await setRoles(user.userId, ['viewer', 'admin'], await admin());
    expect(await isRevoked(user.token)).toBe(true);
    const fresh = (await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).body;
    expect(await isRevoked(fresh.token)).toBe(false);
    expect((await verify(fresh.token)).roles).toEqual(['viewer', 'admin']);
  });

  it('setting the same roles again revokes nothing', async () => {
    const user = await signup();
    await setRoles(user.userId, ['viewer'], await admin());
    expect(await isRevoked(user.token)).toBe(false);
  });

  it('logging out: every access token of the account, from every session', async () => {
    const user = await signup();
    const other = (await login(user.email, user.password)).body;
    expect((await call('auth.logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    expect(await isRevoked(user.token)).toBe(true);
    expect(await isRevoked(other.token)).toBe(true);
    // The other session is still signed in: it refreshes to a live token.
    const fresh = (await call('auth.refresh', { body: { refreshToken: other.refreshToken } })).body;
    expect(await isRevoked(fresh.token)).toBe(false);
  });

  it('logging out of a session that has already ended revokes nothing more', async () => {
    const user = await signup();
    await call('auth.logout', { body: { refreshToken: user.refreshToken } });
    const again = (await login(user.email, user.password)).body;
    await call('auth.logout', { body: { refreshToken: user.refreshToken } });
    expect(await isRevoked(again.token)).toBe(false);
  });

  it('reusing a spent refresh token (its family is revoked)', async () => {
    const user = await signup();
    const next = (await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).body;
    expect((await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
    expect(await isRevoked(next.token)).toBe(true);
  });

  it('completing a password reset', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const mail = await resetMailFor(user.email);
    const done = await call('auth.completePasswordReset', {
      body: { token: mail.token, newPassword: 'a brand new password' },
    });
    expect(done.status).toBe(204);
    expect(await isRevoked(user.token)).toBe(true);
    const fresh = (await login(user.email, 'a brand new password')).body;
    expect(await isRevoked(fresh.token)).toBe(false);
  });

  it('deleting the account', async () => {
    const user = await signup();
    expect((await deleteUser(user.userId, await admin())).status).toBe(204);
    expect(await auth.tokensNotBefore(user.userId)).toBeNull();
    expect(await isRevoked(user.token)).toBe(true);
  });
});

describe('a demoted admin with his old token', () => {
  it('cannot promote himself back', async () => {
    const root = await admin();
    const { user, caller: stale } = await secondAdmin(root);
    expect((await setRoles(user.userId, ['viewer'], root)).status).toBe(200);
    // His token still says admin; the database says viewer.
    expect((await setRoles(user.userId, ['viewer', 'admin'], stale)).status).toBe(403);
    expect((await call('auth.me', {}, stale)).body).toMatchObject({ roles: ['viewer'] });
  });

  it('cannot demote or delete the admin who demoted him', async () => {
    const root = await admin();
    const { user, caller: stale } = await secondAdmin(root);
    await setRoles(user.userId, ['viewer'], root);
    expect((await setRoles(root.userId!, ['viewer'], stale)).status).toBe(403);
    expect((await deleteUser(root.userId!, stale)).status).toBe(403);
  });

  it('cannot issue or revoke API keys, rotate signing keys or read mail', async () => {
    const root = await admin();
    const { key } = await issueKey(['videos:read']);
    const { user, caller: stale } = await secondAdmin(root);
    await setRoles(user.userId, ['viewer'], root);
    const replies = await Promise.all([
      call('auth.createApiKey', { body: { name: 'backdoor', scopes: ['ops'] } }, stale),
      call('auth.revokeApiKey', { params: { keyId: key.id } }, stale),
      call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, stale),
      call('auth.rotateSigningKeys', {}, stale),
      call('auth.mailbox', { query: { page: 1, limit: 5 } }, stale),
    ]);
    expect(replies.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await auth.verifyApiKey(key.key)).not.toBeNull();
  });

  it('a viewer promoted a moment ago acts as admin before his token says so', async () => {
    const user = await signup();
    await setRoles(user.userId, ['viewer', 'admin'], await admin());
    const reply = await call('auth.listApiKeys', { query: { page: 1, limit: 5 } }, userCaller(user.userId));
    expect(reply.status).toBe(200);
  });
});

describe('deleting a user', () => {
  it('removes the account with its sessions, keys and identities, and publishes UserDeleted', async () => {
    const root = await admin();
    const { user, caller } = await secondAdmin(root);
    await call('auth.createApiKey', { body: { name: 'theirs', scopes: ['ops'] } }, caller);
    const reply = await deleteUser(user.userId, root);
    expect(reply.status).toBe(204);
    for (const table of ['users WHERE id', 'refresh_families WHERE user_id', 'api_keys WHERE owner_id']) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} = ?`).bind(user.userId).first();
      expect(row?.n, table).toBe(0);
    }
    const [event] = await eventsOf('UserDeleted', user.userId);
    expect(event?.body).toMatchObject({ source: 'auth', data: { userId: user.userId } });
    expect((await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(401);
  });

  it('an unknown user is 404; a viewer may not delete anyone', async () => {
    expect((await deleteUser('usr_nobody', await admin())).status).toBe(404);
    const user = await signup();
    const victim = await signup();
    expect((await deleteUser(victim.userId, userCaller(user.userId))).status).toBe(403);
    expect(await auth.tokensNotBefore(victim.userId)).not.toBeNull();
  });

  // Last: it demotes every other admin of this file's database.
  it('the last admin cannot be deleted', async () => {
    const root = await admin();
    const others = await env.DB.prepare(
      `SELECT u.id FROM users u, json_each(u.roles) r WHERE r.value = 'admin' AND u.id <> ?`,
    )
      .bind(root.userId)
      .all<{ id: string }>();
    for (const { id } of others.results) expect((await setRoles(id, ['viewer'], root)).status).toBe(200);
    expect((await deleteUser(root.userId!, root)).status).toBe(409);
    expect(await auth.tokensNotBefore(root.userId!)).not.toBeNull();
  });
});
