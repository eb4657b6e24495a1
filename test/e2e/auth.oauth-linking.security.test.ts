/**
 * Account takeover through OAuth linking: a provider identity joins an existing account only when
 * the account's email is verified and the provider vouches for the same email.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Account, type Client, client, clientIp, newestMailTo, signUp } from './support/auth-client.ts';
import { baseUrl } from './support/http.ts';
import { Browser } from './support/idp-browser.ts';

const callbackOf = (provider: string) => `${baseUrl()}/auth/oauth/${provider}/callback`;

async function finish(b: Browser, callbackUrl: string) {
  const res = await b.request(callbackUrl);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Signs in at the Google stand-in as `login` (its email is `login` when it holds an @). */
async function viaGoogle(login: string) {
  const b = new Browser({ 'CF-Connecting-IP': clientIp() });
  const res = await b.request(`${baseUrl()}/auth/oauth/google/start`);
  return finish(b, await b.signIn(res.headers.get('location')!, login, callbackOf('google')));
}

/** Signs in at the GitHub stand-in as `login` (its verified primary email is `<login>@github.test`). */
async function viaGitHub(login: string) {
  const b = new Browser({ 'CF-Connecting-IP': clientIp() });
  const authorize = new URL(
    (await b.request(`${baseUrl()}/auth/oauth/github/start`)).headers.get('location')!,
  );
  authorize.searchParams.set('login', login);
  return finish(b, (await b.request(authorize.toString())).headers.get('location')!);
}

async function verifyEmailOf(c: Client, account: Account) {
  const mail = await newestMailTo(account.email, 'email_verification');
  const res = await c.call('POST', '/auth/verify-email', { body: { token: mail.token } });
  expect(res.status).toBe(204);
}

const googleEmail = () => `linking-${randomUUID().slice(0, 8)}@google.test`;

describe('OAuth linking cannot take over an account', () => {
  it('signing in with Google cannot take over an account whose email is not verified', async () => {
    const c = client();
    const victim = await signUp(c, { email: googleEmail() });
    const res = await viaGoogle(victim.email);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/not verified/);
    expect(res.body.detail).toMatch(/sign in with your password/i);
    expect(res.body.token).toBeUndefined();
    // Nothing was linked: a second try is refused the same way, and the password still works.
    expect((await viaGoogle(victim.email)).status).toBe(409);
    const login = await c.call('POST', '/auth/login', {
      body: { email: victim.email, password: victim.password },
    });
    expect(login.status).toBe(200);
  });

  it('signing in with GitHub cannot take over an account whose email is not verified', async () => {
    const login = `octo-${randomUUID().slice(0, 8)}`;
    const victim = await signUp(client(), { email: `${login}@github.test` });
    const res = await viaGitHub(login);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/verify/);
    expect(res.body.userId).toBeUndefined();
    expect(victim.userId).toBeTruthy();
  });

  it('someone who registered the victim’s email first loses it once the victim resets the password', async () => {
    const attacker = client();
    const squatted = await signUp(attacker, { email: googleEmail(), password: 'attacker password' });
    expect((await viaGoogle(squatted.email)).status).toBe(409);
    // The victim owns the mailbox: a reset proves it, verifies the email and ends the attacker's sessions.
    const victim = client();
    await victim.call('POST', '/auth/password-reset', { body: { email: squatted.email } });
    const mail = await newestMailTo(squatted.email);
    const reset = await victim.call('POST', '/auth/password-reset/complete', {
      body: { token: mail.token, newPassword: 'victim password' },
    });
    expect(reset.status).toBe(204);
    const stolen = await attacker.call('POST', '/auth/refresh', {
      body: { refreshToken: squatted.refreshToken },
    });
    expect(stolen.status).toBe(401);
    const linked = await viaGoogle(squatted.email);
    expect(linked.status).toBe(200);
    expect(linked.body.userId).toBe(squatted.userId);
  });
});

describe('email verification', () => {
  it('once the owner verifies the email, Google sign-in links to the account', async () => {
    const c = client();
    const account = await signUp(c, { email: googleEmail() });
    const before = await c.call('GET', '/auth/me', { token: account.token });
    expect(before.body.emailVerified).toBe(false);
    await verifyEmailOf(c, account);
    const after = await c.call('GET', '/auth/me', { token: account.token });
    expect(after.body.emailVerified).toBe(true);
    const res = await viaGoogle(account.email);
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(account.userId);
  });

  it('a verification token works once', async () => {
    const c = client();
    const account = await signUp(c);
    const mail = await newestMailTo(account.email, 'email_verification');
    expect((await c.call('POST', '/auth/verify-email', { body: { token: mail.token } })).status).toBe(204);
    const again = await c.call('POST', '/auth/verify-email', { body: { token: mail.token } });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
  });

  it('resending the verification mail needs a signed-in user', async () => {
    const c = client();
    expect((await c.call('POST', '/auth/verify-email/resend')).status).toBe(401);
    const account = await signUp(c);
    expect((await c.call('POST', '/auth/verify-email/resend', { token: account.token })).status).toBe(202);
  });

  it('an account created by a Google sign-in is verified', async () => {
    const res = await viaGoogle(`g-${randomUUID().slice(0, 8)}`);
    expect(res.status).toBe(200);
    const me = await client().call('GET', '/auth/me', { token: res.body.token });
    expect(me.body.emailVerified).toBe(true);
  });
});
