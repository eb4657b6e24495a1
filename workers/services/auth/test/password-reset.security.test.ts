import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { admin, call, login, resetMailFor, signup, uniqueEmail, userCaller } from './support/service.ts';

const complete = (token: string, newPassword = 'fresh password 1') =>
  call('auth.completePasswordReset', { body: { token, newPassword } });

async function mailsTo(email: string) {
  const reply = await call(
    'auth.mailbox',
    { query: { to: email, kind: 'password_reset', page: 1, limit: 100 } },
    await admin(),
  );
  return reply.body as { token: string }[];
}

describe('password reset attacks', () => {
  it('a reset token works once', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    expect((await complete(token, 'first new password')).status).toBe(204);
    const second = await complete(token, 'attacker password');
    expect(second.status).toBe(400);
    expect((await login(user.email, 'attacker password')).status).toBe(401);
    expect((await login(user.email, 'first new password')).status).toBe(200);
  });

  it('two concurrent completions with one token: exactly one succeeds', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    const replies = await Promise.all([complete(token, 'password one'), complete(token, 'password two')]);
    expect(replies.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it('an expired reset token is refused', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    await env.DB.prepare('UPDATE password_reset_tokens SET expires_at = ? WHERE token_hash = ?')
      .bind(Date.now() - 1, await sha256Hex(token))
      .run();
    expect((await complete(token)).status).toBe(400);
  });

  it('a made-up token is refused', async () => {
    expect((await complete('made-up-token-0123456789')).status).toBe(400);
  });

  it('an unregistered email gets the same 202 and no mail is written', async () => {
    const ghost = uniqueEmail('ghost');
    const reply = await call('auth.requestPasswordReset', { body: { email: ghost } });
    expect(reply).toEqual({ status: 202 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await mailsTo(ghost)).toEqual([]);
  });

  it('stores reset tokens only as SHA-256 digests', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const { token } = await resetMailFor(user.email);
    const row = await env.DB.prepare('SELECT token_hash FROM password_reset_tokens WHERE user_id = ?')
      .bind(user.userId)
      .first<{ token_hash: string }>();
    expect(row?.token_hash).toBe(await sha256Hex(token));
  });

  it('completing one reset voids the other reset mails still in flight', async () => {
    const user = await signup();
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    await resetMailFor(user.email);
    await call('auth.requestPasswordReset', { body: { email: user.email } });
    const mails = await (async () => {
      for (;;) {
        const m = await mailsTo(user.email);
        if (m.length === 2) return m;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    expect((await complete(mails[0]!.token)).status).toBe(204);
    expect((await complete(mails[1]!.token)).status).toBe(400);
  });

  it('at most 3 reset mails per account per half hour (no mail bombing), still answering 202', async () => {
    const user = await signup();
    for (let i = 0; i < 5; i++) {
      expect((await call('auth.requestPasswordReset', { body: { email: user.email } })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 30));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((await mailsTo(user.email)).length).toBe(3);
  });

  it('the mailbox is for admins only', async () => {
    const user = await signup();
    // The gateway enforces `admin`; the service still refuses to list mail to a non-admin caller.
    const reply = await call('auth.mailbox', { query: { page: 1, limit: 20 } }, userCaller(user.userId));
    expect(reply.status).toBe(403);
  });
});
