/**
 * Password reset: a single-use token with a short expiry, stored as SHA-256 and mailed to the
 * account's address. Completing it sets the password, signs the account out everywhere (every
 * refresh family and every access token ends) and, since the token reached the mailbox, marks the
 * address verified.
 */
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import { config } from './config.ts';
import type { Db } from './db/client.ts';
import { passwordResetTokens } from './db/schema.ts';
import type { Env } from './env.ts';
import { deliver, stage } from './events.ts';
import { clearAccount } from './login-guard.ts';
import { deliverMail } from './mail/send.ts';
import { hashPassword } from './passwords.ts';
import { revokeUserFamilies } from './refresh-families.ts';
import { findUser, findUserByEmail, markEmailVerified, normalizeEmail, replacePassword } from './users.ts';

export interface ResetRequest {
  email: string;
  /** The public origin, for the link in the mail. */
  origin: string;
  traceparent: string;
}

/** Mails a reset token when the email belongs to an account; does nothing visible otherwise. */
export async function requestReset(env: Env, db: Db, req: ResetRequest, now = Date.now()): Promise<void> {
  const cfg = config(env);
  const user = await findUserByEmail(db, req.email);
  if (!user) return;
  const [recent] = await db
    .select({ n: count() })
    .from(passwordResetTokens)
    .where(
      and(
        eq(passwordResetTokens.userId, user.id),
        gt(passwordResetTokens.createdAt, now - cfg.passwordResetTtlMs),
      ),
    );
  if ((recent?.n ?? 0) >= cfg.passwordResetMaxPerWindow) {
    log('warn', 'password reset throttled', { userId: user.id });
    return;
  }
  const token = randomToken(32);
  const expiresAt = now + cfg.passwordResetTtlMs;
  const link = `${req.origin}/reset-password#token=${encodeURIComponent(token)}`;
  const minutes = Math.round(cfg.passwordResetTtlMs / 60_000);
  const requested = stage(db, { traceparent: req.traceparent }, 'PasswordResetRequested', user.id, {
    userId: user.id,
    email: user.email,
    expiresAt: new Date(expiresAt).toISOString(),
  });
  await db.batch([
    db.insert(passwordResetTokens).values({
      tokenHash: await sha256Hex(token),
      userId: user.id,
      createdAt: now,
      expiresAt,
    }),
    requested.insert,
  ]);
  await deliverMail(env, {
    id: newId('mail', now),
    to: normalizeEmail(user.email),
    kind: 'password_reset',
    subject: 'Reset your password',
    text:
      `Hello ${user.name},\n\nsomeone asked to reset the password of this account. If it was you, ` +
      `open ${link} within ${minutes} minutes, or use this token: ${token}\n\n` +
      'If it was not you, ignore this mail; your password stays as it is.\n',
    token,
  });
  // This already runs after the response (the route hands it to waitUntil).
  await deliver(env, db, [requested.event]);
}

/** Spends the token (one conditional UPDATE: a second use finds nothing) and sets the password. */
export async function completeReset(
  env: Env,
  db: Db,
  token: string,
  newPassword: string,
  ip: string,
  now = Date.now(),
): Promise<void> {
  const [spent] = await db
    .update(passwordResetTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(passwordResetTokens.tokenHash, await sha256Hex(token)),
        isNull(passwordResetTokens.usedAt),
        gt(passwordResetTokens.expiresAt, now),
      ),
    )
    .returning({ userId: passwordResetTokens.userId });
  const user = spent ? await findUser(db, spent.userId) : undefined;
  if (!user) throw Problem.badRequest('The reset token is invalid, expired or already used.');
  const passwordHash = await hashPassword(newPassword, config(env).argon2);
  await db.batch([
    replacePassword(db, user.id, passwordHash, now),
    // Other reset mails still in flight die with this one.
    db
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.userId, user.id), isNull(passwordResetTokens.usedAt))),
    revokeUserFamilies(db, user.id, 'password_reset', now),
    markEmailVerified(db, user.id, user.emailNormalized, now),
  ]);
  await clearAccount(env, user.email, ip);
}
