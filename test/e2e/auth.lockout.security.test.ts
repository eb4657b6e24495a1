/**
 * Account lockout as an attack: failed logins must slow down the guesser (the address, and the
 * pair of address and account), never hand an attacker a switch that keeps the owner out.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { client, newestMailTo, signUp } from './support/auth-client.ts';

const MAX_PAIR = 5; // LOGIN_PAIR_MAX_FAILURES
const MAX_SOURCES = 10; // LOGIN_ACCOUNT_MAX_SOURCES

const login = (c = client(), email: string, password: string) =>
  c.call('POST', '/auth/login', { body: { email, password } });

/** A client in a random IPv6 /64 of the documentation range; `host` picks the address inside it. */
function v6Net() {
  const net = `2001:db8:${randomInt(1, 0xffff).toString(16)}:${randomInt(1, 0xffff).toString(16)}`;
  return (host: string) => client(`${net}:${host}`);
}

describe('lockout cannot keep the owner out', () => {
  it('one wrong password every few minutes from anywhere does not keep the admin out', async () => {
    const { email, password } = inject('admin');
    for (let i = 0; i < MAX_PAIR + 3; i++) {
      expect((await login(client(), email, `not the password ${i}`)).status).toBe(401);
    }
    const res = await login(client(), email, password);
    expect(res.status).toBe(200);
    expect(res.body.token).toBeTruthy();
  });

  it('an attacker hammering one account from one address locks only that address out of it', async () => {
    const account = await signUp(client());
    const attacker = client();
    for (let i = 0; i < MAX_PAIR; i++) {
      expect((await login(attacker, account.email, `guess ${i}`)).status).toBe(401);
    }
    const locked = await login(attacker, account.email, account.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(locked.headers.get('content-type')).toBe('application/problem+json');
    expect((await login(client(), account.email, account.password)).status).toBe(200);
  });

  it('rotating addresses inside one IPv6 /64 does not buy an attacker fresh guesses', async () => {
    const account = await signUp(client());
    const host = v6Net();
    for (let i = 0; i < MAX_PAIR; i++) {
      expect((await login(host(`${i + 1}::1`), account.email, `guess ${i}`)).status).toBe(401);
    }
    expect((await login(host('beef::7'), account.email, 'guess x')).status).toBe(429);
    expect((await login(v6Net()('::1'), account.email, account.password)).status).toBe(200);
  });

  it('a wide distributed attack locks the account until the owner resets the password', async () => {
    const owner = client();
    const account = await signUp(owner);
    for (let i = 0; i < MAX_SOURCES; i++) {
      expect((await login(client(), account.email, `botnet guess ${i}`)).status).toBe(401);
    }
    const locked = await login(client(), account.email, account.password);
    expect(locked.status).toBe(429);
    expect(locked.body.detail).toMatch(/reset/i);
    await owner.call('POST', '/auth/password-reset', { body: { email: account.email } });
    const mail = await newestMailTo(account.email);
    const reset = await owner.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'owner took it back' },
    });
    expect(reset.status).toBe(204);
    expect((await login(owner, account.email, 'owner took it back')).status).toBe(200);
  });
});
