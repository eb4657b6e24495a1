import { describe, expect, it } from 'vitest';
import {
  adminToken,
  client,
  clientIp,
  internalClient,
  newestMailTo,
  signUp,
  uniqueEmail,
} from './support/auth-client.ts';
import { api } from './support/http.ts';

/** The rate-limit windows are whole minutes; start a burst where it cannot straddle two. */
async function awayFromWindowEdge(needMs: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 100));
}

function spoofHeaders(i: number) {
  return {
    'X-Forwarded-For': `198.18.${i % 250}.${(i * 7) % 250}`,
    'X-Real-IP': `198.19.${i % 250}.1`,
    Forwarded: `for=198.18.0.${i % 250}`,
  };
}

describe('X-Forwarded-For spoofing', () => {
  it('does not give a client a fresh per-IP budget: 100 auth calls a minute, whatever the header says', async () => {
    await awayFromWindowEdge(8_000);
    const c = client();
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 101; i++) {
      const res = await c.call('POST', '/auth/refresh', {
        body: { refreshToken: `bogus-${i}` },
        headers: spoofHeaders(i),
      });
      statuses.push(res.status);
      if (i === 100) {
        expect(res.headers.get('retry-after')).toBeTruthy();
        expect(res.headers.get('ratelimit-remaining')).toBe('0');
      }
    }
    expect(Date.now() - started).toBeLessThan(8_000); // else the burst may have straddled two windows
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
  });

  it('from 127.0.0.1 itself, varying X-Forwarded-For still spends one budget', async () => {
    await awayFromWindowEdge(5_000);
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api('POST', '/auth/refresh', {
        body: { refreshToken: 'x' },
        headers: spoofHeaders(i),
      });
      remaining.push(Number(res.headers.get('ratelimit-remaining')));
    }
    expect(remaining[1]).toBeLessThan(remaining[0]!);
    expect(remaining[2]).toBeLessThan(remaining[1]!);
  });
});

describe('brute force', () => {
  it('locks an address out of an account after 5 failed logins from it: the right password then gets 429', async () => {
    const account = await signUp(client());
    const attacker = client();
    for (let i = 0; i < 5; i++) {
      const res = await attacker.call('POST', '/auth/login', {
        body: { email: account.email, password: `guess ${i}` },
      });
      expect(res.status).toBe(401);
    }
    const locked = await attacker.call('POST', '/auth/login', {
      body: { email: account.email, password: account.password },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
  });

  it('an unregistered email locks the same way (the lock reveals nothing)', async () => {
    const c = client();
    const statuses: number[] = [];
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await c.call('POST', '/auth/login', { body: { email: ghost, password: `guess ${i}` } })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('locks an address that sprays passwords over many accounts', async () => {
    const sprayer = client();
    for (let i = 0; i < 30; i++) {
      const res = await sprayer.call('POST', '/auth/login', {
        body: { email: uniqueEmail('spray'), password: 'Winter2026!' },
      });
      expect(res.status).toBe(401);
    }
    const account = await signUp(client());
    const body = { email: account.email, password: account.password };
    expect((await sprayer.call('POST', '/auth/login', { body })).status).toBe(429);
    expect((await client().call('POST', '/auth/login', { body })).status).toBe(200);
  });
});

describe('bodies the door refuses', () => {
  it('an oversize body is 413', async () => {
    const res = await client().call('POST', '/auth/signup', {
      body: { email: uniqueEmail(), password: 'x'.repeat(5000), name: 'Big' },
    });
    expect(res.status).toBe(413);
  });

  it('a body that is not JSON is 415', async () => {
    const res = await client().call('POST', '/auth/login', {
      raw: 'email=a@example.com&password=secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
  });

  it('malformed JSON is 400', async () => {
    const res = await client().call('POST', '/auth/login', {
      raw: '{"email": "a@example.com", "password":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.title).toBe('Malformed JSON');
  });

  it('fields that fail validation are 400 with each field named', async () => {
    const res = await client().call('POST', '/auth/signup', {
      body: { email: 'not-an-email', password: 'short', name: '' },
    });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['email', 'name', 'password']);
  });

  it('wrong types and missing fields are 400', async () => {
    const c = client();
    expect((await c.call('POST', '/auth/login', { body: { email: 42, password: ['x'] } })).status).toBe(400);
    expect((await c.call('POST', '/auth/refresh', { body: {} })).status).toBe(400);
    expect((await c.call('POST', '/auth/login', { body: [] })).status).toBe(400);
  });
});

describe('password reset abuse', () => {
  it('a reset token works once', async () => {
    const c = client();
    const account = await signUp(c);
    await c.call('POST', '/auth/password-reset', { body: { email: account.email } });
    const mail = await newestMailTo(account.email);
    const first = await c.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'the first new one' },
    });
    expect(first.status).toBe(204);
    const second = await c.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'the attacker one' },
    });
    expect(second.status).toBe(400);
    const login = await c.call('POST', '/auth/login', {
      body: { email: account.email, password: 'the attacker one' },
    });
    expect(login.status).toBe(401);
  });

  it('the mailbox is for admins on the internal network only', async () => {
    const inside = internalClient();
    const viewer = await signUp(inside);
    expect((await inside.call('GET', '/internal/outbox')).status).toBe(401);
    expect((await inside.call('GET', '/internal/outbox', { token: viewer.token })).status).toBe(403);
    expect((await inside.call('GET', '/internal/outbox', { token: await adminToken(inside) })).status).toBe(
      200,
    );
    const outside = client(clientIp());
    expect((await outside.call('GET', '/internal/outbox', { token: await adminToken(outside) })).status).toBe(
      403,
    );
  });
});
