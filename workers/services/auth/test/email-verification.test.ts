import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { admin, call, eventually, mailFor, signup, userCaller } from './support/service.ts';

const verifyEmail = (token: string) => call('auth.verifyEmail', { body: { token } });
const me = async (userId: string) => (await call('auth.me', {}, userCaller(userId))).body;

async function mailsTo(email: string, kind: string) {
  const reply = await call(
    'auth.mailbox',
    { query: { to: email, kind, page: 1, limit: 100 } },
    await admin(),
  );
  return reply.body as { token: string }[];
}

describe('email verification', () => {
  it('signup mails a verification token; until it is used the email is not verified', async () => {
    const user = await signup({ name: 'Visit evil.example now' });
    expect(await me(user.userId)).toMatchObject({ emailVerified: false });
    const mail = await mailFor(user.email, 'email_verification');
    expect(mail.subject).toBe('Verify your email address');
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(`http://127.0.0.1:8787/verify-email#token=${mail.token}`);
    // The name is the signer-up's choice and the address is not proven theirs: it stays out of the mail.
    expect(mail.text).not.toContain('evil.example');
  });

  it('POST /auth/verify-email with the token answers 204 and /auth/me says emailVerified', async () => {
    const user = await signup();
    const { token } = await mailFor(user.email, 'email_verification');
    expect(await verifyEmail(token)).toEqual({ status: 204 });
    expect(await me(user.userId)).toMatchObject({ userId: user.userId, emailVerified: true });
  });

  it('a verification token works once', async () => {
    const user = await signup();
    const { token } = await mailFor(user.email, 'email_verification');
    expect((await verifyEmail(token)).status).toBe(204);
    const again = await verifyEmail(token);
    expect(again.status).toBe(400);
    expect(again.problem?.detail).toMatch(/invalid, expired or already used/);
  });

  it('an expired verification token is refused', async () => {
    const user = await signup();
    const { token } = await mailFor(user.email, 'email_verification');
    await env.DB.prepare('UPDATE email_verification_tokens SET expires_at = ? WHERE token_hash = ?')
      .bind(Date.now() - 1, await sha256Hex(token))
      .run();
    expect((await verifyEmail(token)).status).toBe(400);
    expect(await me(user.userId)).toMatchObject({ emailVerified: false });
  });

  it('a made-up token is refused', async () => {
    expect((await verifyEmail('made-up-token-0123456789')).status).toBe(400);
  });

  it('stores verification tokens only as SHA-256 digests, with an expiry', async () => {
    const user = await signup();
    const { token } = await mailFor(user.email, 'email_verification');
    const row = await env.DB.prepare(
      'SELECT token_hash, expires_at, created_at FROM email_verification_tokens WHERE user_id = ?',
    )
      .bind(user.userId)
      .first<{ token_hash: string; expires_at: number; created_at: number }>();
    expect(row?.token_hash).toBe(await sha256Hex(token));
    expect(row!.expires_at - row!.created_at).toBe(24 * 3600_000);
  });

  it('resend mails a fresh token to the signed-in user; the new token verifies', async () => {
    const user = await signup();
    await mailFor(user.email, 'email_verification');
    const reply = await call('auth.resendVerification', {}, userCaller(user.userId));
    expect(reply).toEqual({ status: 202 });
    const mails = await eventually(async () => {
      const m = await mailsTo(user.email, 'email_verification');
      return m.length === 2 && m;
    });
    expect((await verifyEmail(mails[0]!.token)).status).toBe(204);
  });

  it('resend is throttled per account (no mail bombing), still answering 202', async () => {
    const user = await signup();
    await mailFor(user.email, 'email_verification');
    for (let i = 0; i < 4; i++) {
      expect((await call('auth.resendVerification', {}, userCaller(user.userId))).status).toBe(202);
      await new Promise((r) => setTimeout(r, 30));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((await mailsTo(user.email, 'email_verification')).length).toBe(3);
  });

  it('resend sends nothing once the email is verified', async () => {
    const user = await signup();
    const { token } = await mailFor(user.email, 'email_verification');
    await verifyEmail(token);
    expect((await call('auth.resendVerification', {}, userCaller(user.userId))).status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect((await mailsTo(user.email, 'email_verification')).length).toBe(1);
  });

  it('a completed password reset verifies the email (the reset mail reached the mailbox)', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await mailFor(user.email, 'password_reset');
    expect(
      (await call('auth.completePasswordReset', { body: { token, newPassword: 'a new password' } })).status,
    ).toBe(204);
    expect(await me(user.userId)).toMatchObject({ emailVerified: true });
  });
});
