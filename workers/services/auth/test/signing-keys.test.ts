import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { verifyAccessToken } from '../../../lib/access-token.ts';
import { database } from '../src/db/client.ts';
import { unwrap, wrappingKey } from '../src/key-wrap.ts';
import { publishedKeys } from '../src/signing-keys.ts';
import { admin, auth, call, login, signup, tokenHeader, userCaller, verify } from './support/service.ts';

const rotate = async () => call('auth.rotateSigningKeys', {}, await admin());

describe('the JWKS', () => {
  it('publishes RSA public keys only, each with kid, alg RS256 and use sig', async () => {
    const reply = await call('auth.jwks');
    expect(reply.status).toBe(200);
    const { keys } = reply.body as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThanOrEqual(2); // current + the pre-published next
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(k.kid).toBeTruthy();
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(secret);
    }
    expect(await auth.jwks()).toEqual(reply.body);
  });

  it('keeps private keys in D1 only wrapped with KEY_ENCRYPTION_KEY, bound to their kid', async () => {
    await call('auth.jwks');
    const rows = (
      await env.DB.prepare('SELECT kid, private_jwk_wrapped FROM signing_keys').all<{
        kid: string;
        private_jwk_wrapped: string;
      }>()
    ).results;
    expect(rows.length).toBeGreaterThan(0);
    const kek = await wrappingKey(env.KEY_ENCRYPTION_KEY);
    for (const row of rows) {
      expect(row.private_jwk_wrapped).not.toContain('"d"');
      expect(JSON.parse(await unwrap(kek, row.kid, row.private_jwk_wrapped))).toHaveProperty('d');
      await expect(
        unwrap(await wrappingKey('another-key-encryption-key!'), row.kid, row.private_jwk_wrapped),
      ).rejects.toThrow();
      await expect(unwrap(kek, 'another-kid', row.private_jwk_wrapped)).rejects.toThrow();
    }
  });
});

describe('key rotation', () => {
  it('signs new tokens with the key that was pre-published, and old tokens stay valid', async () => {
    const user = await signup();
    const jwksBefore = await auth.jwks();
    const oldKid = tokenHeader(user.token).kid;

    const reply = await rotate();
    expect(reply.status).toBe(200);
    const rotation = reply.body as { current: string; next: string; retired: string; retiredUntil: string };
    expect(rotation.retired).toBe(oldKid);
    // The new signing key was in the JWKS before it signed anything.
    expect(jwksBefore.keys.map((k) => k.kid)).toContain(rotation.current);
    expect(Date.parse(rotation.retiredUntil)).toBeGreaterThan(Date.now() + 15 * 60_000);

    const fresh = (await login(user.email, user.password)).body as { token: string };
    expect(tokenHeader(fresh.token).kid).toBe(rotation.current);
    // A verifier still holding the JWKS from before the rotation accepts the new token…
    const stale = await verifyAccessToken(fresh.token, jwksBefore, {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    });
    expect(stale.ok).toBe(true);
    // …and the token signed before the rotation verifies against the JWKS after it.
    expect((await verify(user.token)).sub).toBe(user.userId);
    const kids = (await auth.jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([rotation.current, rotation.next, rotation.retired]));
  });

  it('drops a retired key from the JWKS once its overlap has passed', async () => {
    const { retired, retiredUntil } = (await rotate()).body as { retired: string; retiredUntil: string };
    const db = database(env.DB);
    const during = await publishedKeys(db, Date.parse(retiredUntil) - 1000);
    const after = await publishedKeys(db, Date.parse(retiredUntil) + 1000);
    expect(during.map((k) => k.kid)).toContain(retired);
    expect(after.map((k) => k.kid)).not.toContain(retired);
  });

  it('concurrent rotations cannot leave two signing keys: one wins, the other gets 409', async () => {
    const caller = await admin();
    const replies = await Promise.all([
      call('auth.rotateSigningKeys', {}, caller),
      call('auth.rotateSigningKeys', {}, caller),
    ]);
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    const live = await env.DB.prepare(
      "SELECT status, count(*) AS n FROM signing_keys WHERE status IN ('current', 'next') GROUP BY status",
    ).all<{ status: string; n: number }>();
    expect(live.results).toEqual(
      expect.arrayContaining([
        { status: 'current', n: 1 },
        { status: 'next', n: 1 },
      ]),
    );
  });

  it('is for admins only', async () => {
    const user = await signup();
    const reply = await call('auth.rotateSigningKeys', {}, userCaller(user.userId));
    expect(reply.status).toBe(403);
  });
});
