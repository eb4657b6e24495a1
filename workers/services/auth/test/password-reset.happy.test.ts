import { describe, expect, it } from 'vitest';
import { admin, call, eventsOf, login, resetMailFor, signup } from './support/service.ts';

describe('password reset', () => {
  it('answers 202 and mails a reset token to the mailbox', async () => {
    const user = await signup({ name: 'Forgetful' });
    const reply = await call('auth.requestPasswordReset', { body: { email: user.email } });
    expect(reply.status).toBe(202);
    expect(reply.body).toBeUndefined();
    const mail = await resetMailFor(user.email);
    expect(mail.kind).toBe('password_reset');
    expect(mail.subject).toBe('Reset your password');
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(mail.token);
    expect(mail.text).toContain('http://127.0.0.1:8787/reset-password#token=');
  });

  it('publishes PasswordResetRequested without the token', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const mail = await resetMailFor(user.email);
    const [event] = await eventsOf('PasswordResetRequested', user.userId);
    expect(event?.body.data.userId).toBe(user.userId);
    expect(event?.body.data.email).toBe(user.email);
    expect(Date.parse(event?.body.data.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect(JSON.stringify(event)).not.toContain(mail.token);
  });

  it('completing it sets the new password: the old one stops working', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    const done = await call('auth.completePasswordReset', {
      body: { token, newPassword: 'my new password' },
    });
    expect(done.status).toBe(204);
    expect((await login(user.email, 'my new password')).status).toBe(200);
    expect((await login(user.email, user.password)).status).toBe(401);
  });

  it('completing it signs the account out of every session', async () => {
    const user = await signup();
    const other = (await login(user.email, user.password)).body as { refreshToken: string };
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    await call('auth.completePasswordReset', { body: { token, newPassword: 'my new password' } });
    for (const refreshToken of [user.refreshToken, other.refreshToken]) {
      expect((await call('auth.refresh', { body: { refreshToken } })).status).toBe(401);
    }
  });

  it('the mailbox lists newest first and filters by recipient, case-insensitively', async () => {
    const user = await signup({ email: `Case-${crypto.randomUUID().slice(0, 6)}@Example.com` });
    await call('auth.requestPasswordReset', { body: { email: user.email.toUpperCase() } });
    const mail = await resetMailFor(user.email);
    expect(mail.token).toBeTruthy();
    const page = await call('auth.mailbox', { query: { page: 1, limit: 1 } }, await admin());
    expect(page.total).toBeGreaterThanOrEqual(1);
    expect((page.body as unknown[]).length).toBe(1);
  });
});
