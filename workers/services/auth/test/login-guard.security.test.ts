import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { GuardPolicy, SpreadPolicy } from '../../../../durable-objects/login-guard.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { anonymous, call, freshIp, login, signup, uniqueEmail } from './support/service.ts';

const MAX_PAIR = 5; // LOGIN_PAIR_MAX_FAILURES in wrangler.jsonc
const MAX_IP = 30; // LOGIN_IP_MAX_FAILURES
const MAX_SOURCES = 10; // LOGIN_ACCOUNT_MAX_SOURCES

function guard(name: string) {
  return env.LOGIN_GUARD.get(env.LOGIN_GUARD.idFromName(name));
}

const from = (ip: string) => anonymous({ ip });

/** A random IPv6 /64 prefix (four groups) of the documentation range. */
function freshV6Prefix(): string {
  const r = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${r[0]!.toString(16)}:${r[1]!.toString(16)}`;
}

async function resetPassword(userId: string, newPassword: string, caller = anonymous()) {
  const token = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    'INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  )
    .bind(await sha256Hex(token), userId, now, now + 60_000)
    .run();
  return call('auth.completePasswordReset', { body: { token, newPassword } }, caller);
}

describe('lockout cannot be turned against the account owner', () => {
  it('one wrong password every few minutes from anywhere does not keep the admin out', async () => {
    // Each guess from another network, as a slow attacker with a handful of addresses would send them.
    for (let i = 0; i < MAX_PAIR + 3; i++) {
      expect((await login(env.ADMIN_EMAIL, `guess-${i}`, from(freshIp()))).status).toBe(401);
    }
    expect((await login(env.ADMIN_EMAIL, env.ADMIN_PASSWORD, from(freshIp()))).status).toBe(200);
  });

  it('hammering one account from one address locks that address out of it, not the owner', async () => {
    const user = await signup();
    const attacker = freshIp();
    for (let i = 0; i < MAX_PAIR; i++) {
      expect((await login(user.email, `guess-${i}`, from(attacker))).status).toBe(401);
    }
    const locked = await login(user.email, user.password, from(attacker));
    expect(locked.status).toBe(429);
    expect(locked.problem?.code).toBe('rate_limited');
    expect(Number(locked.problem?.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect((await login(user.email, user.password, from(freshIp()))).status).toBe(200);
  });

  it('rotating addresses inside one IPv6 /64 does not buy fresh guesses', async () => {
    const user = await signup();
    const net = freshV6Prefix();
    for (let i = 0; i < MAX_PAIR; i++) {
      expect((await login(user.email, `guess-${i}`, from(`${net}::${i + 1}`))).status).toBe(401);
    }
    expect((await login(user.email, 'guess-x', from(`${net}:ffff::9`))).status).toBe(429);
    expect((await login(user.email, user.password, from(`${freshV6Prefix()}::1`))).status).toBe(200);
  });

  it('a wide distributed attack locks the account itself, and a password reset lifts the lock', async () => {
    const user = await signup();
    for (let i = 0; i < MAX_SOURCES; i++) {
      expect((await login(user.email, `guess-${i}`, from(freshIp()))).status).toBe(401);
    }
    const locked = await login(user.email, user.password, from(freshIp()));
    expect(locked.status).toBe(429);
    expect(Number(locked.problem?.headers?.['Retry-After'])).toBeGreaterThan(60);
    expect(locked.problem?.detail).toMatch(/reset/i);
    expect((await resetPassword(user.userId, 'a brand new one')).status).toBe(204);
    expect((await login(user.email, 'a brand new one', from(freshIp()))).status).toBe(200);
  });

  it('a password reset also frees the owner’s own address they locked with typos', async () => {
    const user = await signup();
    const home = freshIp();
    for (let i = 0; i < MAX_PAIR; i++) await login(user.email, `typo-${i}`, from(home));
    expect((await login(user.email, user.password, from(home))).status).toBe(429);
    expect((await resetPassword(user.userId, 'a brand new one', from(home))).status).toBe(204);
    expect((await login(user.email, 'a brand new one', from(home))).status).toBe(200);
  });
});

describe('brute force against one account', () => {
  it('an unregistered email locks exactly like a registered one (no account enumeration)', async () => {
    const user = await signup();
    const ghost = uniqueEmail('ghost');
    const ip = freshIp();
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    for (let i = 0; i <= MAX_PAIR; i++) {
      const a = await login(user.email, `guess-${i}`, from(ip));
      const b = await login(ghost, `guess-${i}`, from(ip));
      answers.known.push([a.status, a.problem?.code]);
      answers.unknown.push([b.status, b.problem?.code]);
    }
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known.at(-1)).toEqual([429, 'rate_limited']);
  });

  it('the account-wide lock reveals nothing either: an unregistered email gets the same answer', async () => {
    const user = await signup();
    const ghost = uniqueEmail('ghost');
    const last = { known: undefined as unknown, unknown: undefined as unknown };
    for (let i = 0; i <= MAX_SOURCES; i++) {
      const a = await login(user.email, `guess-${i}`, from(freshIp()));
      const b = await login(ghost, `guess-${i}`, from(freshIp()));
      last.known = [a.status, a.problem?.detail.replace(/\d+ s/, 'N s')];
      last.unknown = [b.status, b.problem?.detail.replace(/\d+ s/, 'N s')];
    }
    expect(last.unknown).toEqual(last.known);
  });

  it('a successful login wipes the failures of that address against the account', async () => {
    const user = await signup();
    const ip = freshIp();
    for (let i = 0; i < MAX_PAIR - 1; i++) await login(user.email, `guess-${i}`, from(ip));
    expect((await login(user.email, user.password, from(ip))).status).toBe(200);
    for (let i = 0; i < MAX_PAIR - 1; i++) {
      expect((await login(user.email, `again-${i}`, from(ip))).status).toBe(401);
    }
  });

  it('parallel guesses from one address cannot slip past the limit', async () => {
    const user = await signup();
    const ip = freshIp();
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(user.email, `parallel-${i}`, from(ip))),
    );
    const checked = replies.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(MAX_PAIR);
    expect(replies.filter((r) => r.status === 429).length).toBe(12 - checked);
  });

  it('parallel guesses from many addresses cannot slip past the account-wide limit', async () => {
    const user = await signup();
    const replies = await Promise.all(
      Array.from({ length: 2 * MAX_SOURCES }, (_, i) => login(user.email, `parallel-${i}`, from(freshIp()))),
    );
    const checked = replies.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(MAX_SOURCES);
    expect(replies.filter((r) => r.status === 429).length).toBe(2 * MAX_SOURCES - checked);
  });
});

describe('brute force from one address', () => {
  it('locks the address after 30 failures across many accounts (password spraying)', {
    timeout: 20_000,
  }, async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_IP; i++) {
      expect((await login(uniqueEmail('spray'), 'Summer2026!', from(ip))).status).toBe(401);
    }
    const user = await signup();
    expect((await login(user.email, user.password, from(ip))).status).toBe(429);
    // Another address is not affected.
    expect((await login(user.email, user.password, from(freshIp()))).status).toBe(200);
  });
});

describe('LoginGuard (the Durable Object)', () => {
  const policy: GuardPolicy = { maxFailures: 2, windowMs: 60_000, lockoutMs: 300, maxLockoutMs: 700 };
  const spread: SpreadPolicy = { maxSources: 3, windowMs: 60_000, lockoutMs: 60_000 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('locks for a growing time after each failure past the limit, capped', async () => {
    // Lock times far above a loaded machine's call latency, so each check has ~1 s of slack.
    const slow: GuardPolicy = { ...policy, lockoutMs: 1000, maxLockoutMs: 2500 };
    const g = guard(`test:${crypto.randomUUID()}`);
    expect((await g.attempt(slow)).allowed).toBe(true);
    expect((await g.attempt(slow)).allowed).toBe(true); // 2nd failure: locked for 1 s
    expect((await g.attempt(slow)).allowed).toBe(false);
    await sleep(1100);
    expect((await g.attempt(slow)).allowed).toBe(true); // 3rd failure: locked for 2 s
    await sleep(1100);
    expect((await g.attempt(slow)).allowed).toBe(false);
    await sleep(1000);
    expect((await g.attempt(slow)).allowed).toBe(true); // 4th: 4 s, capped to 2.5 s
    const locked = await g.peek(slow);
    expect(locked).toMatchObject({ allowed: false, retryAfterSec: 3, failures: 4 });
  });

  it('a refund gives an attempt back and lifts a lock it caused', async () => {
    const g = guard(`test:${crypto.randomUUID()}`);
    await g.attempt(policy);
    await g.attempt(policy);
    expect((await g.peek(policy)).allowed).toBe(false);
    await g.refund(policy);
    expect(await g.peek(policy)).toEqual({ allowed: true, retryAfterSec: 0, failures: 1 });
  });

  it('forgets a subject once its window has passed (alarm)', async () => {
    const short: GuardPolicy = { ...policy, windowMs: 10 };
    const g = guard(`test:${crypto.randomUUID()}`);
    await g.attempt(short);
    await new Promise((r) => setTimeout(r, 20));
    await runDurableObjectAlarm(g);
    expect((await g.peek(short)).failures).toBe(0);
  });

  it('locks an account only when enough distinct sources fail within the window', async () => {
    const g = guard(`test:${crypto.randomUUID()}`);
    for (let i = 0; i < 5; i++) expect((await g.attemptFrom('10.0.0.1', spread)).allowed).toBe(true);
    expect((await g.attemptFrom('10.0.0.2', spread)).allowed).toBe(true);
    expect((await g.attemptFrom('10.0.0.3', spread)).allowed).toBe(true); // 3rd source: locked
    expect(await g.peekSpread(spread)).toMatchObject({ allowed: false, failures: 3 });
    expect((await g.attemptFrom('10.0.0.4', spread)).retryAfterSec).toBeGreaterThanOrEqual(59);
  });

  it('sources spread out over more than the window never add up to a lock (a slow attacker)', async () => {
    const slow: SpreadPolicy = { ...spread, windowMs: 40 };
    const g = guard(`test:${crypto.randomUUID()}`);
    for (let i = 0; i < 6; i++) {
      expect((await g.attemptFrom(`10.0.1.${i}`, slow)).allowed).toBe(true);
      await sleep(45);
    }
    expect((await g.peekSpread(slow)).allowed).toBe(true);
  });

  it('a refunded source no longer counts towards the account lock', async () => {
    const g = guard(`test:${crypto.randomUUID()}`);
    await g.attemptFrom('10.0.2.1', spread);
    await g.attemptFrom('10.0.2.2', spread);
    await g.attemptFrom('10.0.2.3', spread);
    expect((await g.peekSpread(spread)).allowed).toBe(false);
    await g.refundFrom('10.0.2.3', spread);
    expect(await g.peekSpread(spread)).toEqual({ allowed: true, retryAfterSec: 0, failures: 2 });
  });
});
