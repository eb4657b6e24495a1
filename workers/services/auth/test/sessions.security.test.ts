import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { Argon2id } from '../src/argon2.ts';
import { hashParams } from '../src/passwords.ts';
import { call, login, signup, uniqueEmail } from './support/service.ts';

const refresh = (refreshToken: string) => call('auth.refresh', { body: { refreshToken } });

async function storedHash(userId: string): Promise<string> {
  const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
    .bind(userId)
    .first<{ password_hash: string }>();
  return row!.password_hash;
}

describe('refresh-token families', () => {
  it('reuse of a spent refresh token revokes the family', async () => {
    const user = await signup();
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    const successor = (first.body as { refreshToken: string }).refreshToken;

    // An attacker replays the spent token: refused, and the legitimate successor dies with it.
    expect((await refresh(user.refreshToken)).status).toBe(401);
    expect((await refresh(successor)).status).toBe(401);
    const family = await env.DB.prepare('SELECT revoked_reason FROM refresh_families WHERE user_id = ?')
      .bind(user.userId)
      .first<{ revoked_reason: string }>();
    expect(family?.revoked_reason).toBe('reuse');
  });

  it('of two concurrent refreshes with one token, one wins and the race counts as reuse', async () => {
    const user = await signup();
    const replies = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = replies.find((r) => r.status === 200)!.body as { refreshToken: string };
    expect((await refresh(winner.refreshToken)).status).toBe(401);
  });

  it('a revoked family cannot mint tokens, even from its newest token', async () => {
    const user = await signup();
    const next = (await refresh(user.refreshToken)).body as { refreshToken: string };
    // Logging out with the spent token still ends the session it belonged to.
    expect((await call('auth.logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);
    expect((await refresh(next.refreshToken)).status).toBe(401);
  });

  it('reuse in one session leaves the user’s other sessions alone', async () => {
    const user = await signup();
    const other = (await login(user.email, user.password)).body as { refreshToken: string };
    await refresh(user.refreshToken);
    await refresh(user.refreshToken);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('stores refresh tokens only as SHA-256 digests', async () => {
    const user = await signup();
    const rows = await env.DB.prepare(
      'SELECT token_hash FROM refresh_tokens WHERE family_id IN (SELECT id FROM refresh_families WHERE user_id = ?)',
    )
      .bind(user.userId)
      .all<{ token_hash: string }>();
    expect(rows.results.map((r) => r.token_hash)).toEqual([await sha256Hex(user.refreshToken)]);
    const dump = JSON.stringify((await env.DB.prepare('SELECT * FROM refresh_tokens').all()).results);
    expect(dump).not.toContain(user.refreshToken);
  });
});

describe('password storage', () => {
  it('hashes with argon2id at no less than 19 MiB, t=2, p=1', async () => {
    const user = await signup();
    const hash = await storedHash(user.userId);
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    const params = hashParams(hash)!;
    expect(params.memoryKib).toBeGreaterThanOrEqual(19_456);
    expect(params.iterations).toBeGreaterThanOrEqual(2);
    expect(params.parallelism).toBe(1);
    expect(hash).not.toContain(user.password);
  });

  it('upgrades a hash made with weaker parameters at the next login', async () => {
    const user = await signup();
    const argon2 = await Argon2id.load();
    const weak = argon2.hash(new TextEncoder().encode(user.password), {
      memoryKib: 4096,
      iterations: 1,
      parallelism: 1,
    });
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(weak, user.userId).run();

    expect((await login(user.email, user.password)).status).toBe(200);
    const upgraded = await storedHash(user.userId);
    expect(upgraded).not.toBe(weak);
    expect(hashParams(upgraded)).toEqual({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('hashes every byte of a non-ASCII password (no truncation to its UTF-16 length)', async () => {
    // 8 characters, 14 UTF-8 bytes. @phi-ag/argon2's JS wrapper passes `password.length` as the
    // byte count, so it hashes only the first 8 bytes ("паро") and accepts "пароZZZZ" as well.
    const user = await signup({ password: 'парольXY' });
    expect((await login(user.email, 'парольXY')).status).toBe(200);
    expect((await login(user.email, 'пароZZZZ')).status).toBe(401);
    expect((await login(user.email, 'парольXZ')).status).toBe(401);
  });

  it('accepts a password typed in another Unicode normalization form', async () => {
    const composed = 'caf\u00e9-au-lait';
    const user = await signup({ password: composed });
    expect((await login(user.email, composed.normalize('NFD'))).status).toBe(200);
  });

  it('a login for an unregistered email costs what a wrong password costs', async () => {
    const user = await signup();
    const time = async (email: string) => {
      const started = performance.now();
      await login(email, 'wrong password here');
      return performance.now() - started;
    };
    await time(uniqueEmail('warmup'));
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(user.email));
      unknown.push(await time(uniqueEmail('ghost')));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both run one argon2id verification (~tens of ms); skipping it would make unknown emails
    // several times faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });
});
