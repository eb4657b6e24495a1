import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { GuardPolicy } from '../../../../durable-objects/login-guard.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { anonymous, call, freshIp, login, signup, uniqueEmail } from './support/service.ts';

const MAX_ACCOUNT = 5; // LOGIN_ACCOUNT_MAX_FAILURES in wrangler.jsonc
const MAX_IP = 30; // LOGIN_IP_MAX_FAILURES

function guard(name: string) {
  return env.LOGIN_GUARD.get(env.LOGIN_GUARD.idFromName(name));
}

describe('brute force against one account', () => {
  it('locks the account after 5 failures: even the right password then gets 429 with Retry-After', async () => {
    const user = await signup();
    for (let i = 0; i < MAX_ACCOUNT; i++) {
      expect((await login(user.email, `guess-${i}`, anonymous())).status).toBe(401);
    }
    const locked = await login(user.email, user.password, anonymous());
    expect(locked.status).toBe(429);
    expect(locked.problem?.code).toBe('rate_limited');
    expect(Number(locked.problem?.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('the lock follows the account, not the address: fresh IPs do not help', async () => {
    const user = await signup();
    for (let i = 0; i < MAX_ACCOUNT; i++) await login(user.email, `guess-${i}`, anonymous({ ip: freshIp() }));
    expect((await login(user.email, 'guess-x', anonymous({ ip: freshIp() }))).status).toBe(429);
  });

  it('an unregistered email locks exactly like a registered one (no account enumeration)', async () => {
    const user = await signup();
    const ghost = uniqueEmail('ghost');
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    for (let i = 0; i <= MAX_ACCOUNT; i++) {
      const a = await login(user.email, `guess-${i}`);
      const b = await login(ghost, `guess-${i}`);
      answers.known.push([a.status, a.problem?.code]);
      answers.unknown.push([b.status, b.problem?.code]);
    }
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.known.at(-1)).toEqual([429, 'rate_limited']);
  });

  it('a successful login wipes the account’s failures', async () => {
    const user = await signup();
    for (let i = 0; i < MAX_ACCOUNT - 1; i++) await login(user.email, `guess-${i}`);
    expect((await login(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < MAX_ACCOUNT - 1; i++) {
      expect((await login(user.email, `again-${i}`)).status).toBe(401);
    }
  });

  it('parallel guesses cannot slip past the limit', async () => {
    const user = await signup();
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(user.email, `parallel-${i}`, anonymous())),
    );
    const checked = replies.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(MAX_ACCOUNT);
    expect(replies.filter((r) => r.status === 429).length).toBe(12 - checked);
  });
});

describe('brute force from one address', () => {
  it('locks the address after 30 failures across many accounts (password spraying)', async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX_IP; i++) {
      expect((await login(uniqueEmail('spray'), 'Summer2026!', anonymous({ ip }))).status).toBe(401);
    }
    const user = await signup();
    expect((await login(user.email, user.password, anonymous({ ip }))).status).toBe(429);
    // Another address is not affected.
    expect((await login(user.email, user.password, anonymous({ ip: freshIp() }))).status).toBe(200);
  });
});

describe('LoginGuard (the Durable Object)', () => {
  const policy: GuardPolicy = { maxFailures: 2, windowMs: 60_000, lockoutMs: 300, maxLockoutMs: 700 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('locks for a growing time after each failure past the limit, capped', async () => {
    const g = guard(`test:${crypto.randomUUID()}`);
    expect((await g.attempt(policy)).allowed).toBe(true);
    expect((await g.attempt(policy)).allowed).toBe(true); // 2nd failure: locked for 300 ms
    expect((await g.attempt(policy)).allowed).toBe(false);
    await sleep(350);
    expect((await g.attempt(policy)).allowed).toBe(true); // 3rd failure: locked for 600 ms
    await sleep(350);
    expect((await g.attempt(policy)).allowed).toBe(false);
    await sleep(300);
    expect((await g.attempt(policy)).allowed).toBe(true); // 4th: 1200 ms, capped to 700
    const locked = await g.peek(policy);
    expect(locked).toMatchObject({ allowed: false, retryAfterSec: 1, failures: 4 });
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
});

describe('a completed password reset', () => {
  it('lifts the account lockout', async () => {
    const user = await signup();
    for (let i = 0; i <= MAX_ACCOUNT; i++) await login(user.email, `guess-${i}`);
    expect((await login(user.email, user.password)).status).toBe(429);
    const token = crypto.randomUUID();
    const now = Date.now();
    await env.DB.prepare(
      'INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    )
      .bind(await sha256Hex(token), user.userId, now, now + 60_000)
      .run();
    const done = await call('auth.completePasswordReset', {
      body: { token, newPassword: 'a brand new one' },
    });
    expect(done.status).toBe(204);
    expect((await login(user.email, 'a brand new one')).status).toBe(200);
  });
});
