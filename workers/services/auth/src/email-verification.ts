/**
 * Email verification: a single-use token with an expiry, stored as SHA-256 and mailed to the
 * account's address at signup (and on request). Spending it marks the address verified, which an
 * OAuth sign-in needs before it may join the account (oauth/accounts.ts).
 */
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import { config } from './config.ts';
import type { Db } from './db/client.ts';
import { emailVerificationTokens, type User } from './db/schema.ts';
import type { Env } from './env.ts';
import { deliverMail } from './mail/send.ts';
import { markEmailVerified, normalizeEmail } from './users.ts';

const HOUR_MS = 3600_000;

/**
 * Mails a verification token unless the address is verified or the account had its share of
 * verification mails this hour. Runs after the response (callers hand it to waitUntil).
 */
export async function sendVerification(
  env: Env,
  db: Db,
  user: User,
  origin: string,
  now = Date.now(),
): Promise<void> {
  const cfg = config(env);
  if (user.emailVerifiedAt !== null) return;
  const [recent] = await db
    .select({ n: count() })
    .from(emailVerificationTokens)
    .where(
      and(eq(emailVerificationTokens.userId, user.id), gt(emailVerificationTokens.createdAt, now - HOUR_MS)),
    );
  if ((recent?.n ?? 0) >= cfg.emailVerificationMaxPerHour) {
    log('warn', 'verification mail throttled', { userId: user.id });
    return;
  }
  const token = randomToken(32);
  const email = normalizeEmail(user.email);
  await db.insert(emailVerificationTokens).values({
    tokenHash: await sha256Hex(token),
    userId: user.id,
    email,
    createdAt: now,
    expiresAt: now + cfg.emailVerificationTtlMs,
  });
  const link = `${origin}/verify-email#token=${encodeURIComponent(token)}`;
  const hours = Math.round(cfg.emailVerificationTtlMs / HOUR_MS);
  await deliverMail(env, {
    id: newId('mail', now),
    to: email,
    kind: 'email_verification',
    subject: 'Verify your email address',
    text:
      // No name: whoever signs up chooses it, and this mail goes to an address not yet proven theirs.
      `Hello,\n\nplease confirm that this address belongs to your account: open ${link} ` +
      `within ${hours} hours, or use this token: ${token}\n\n` +
      'If you did not create an account, ignore this mail.\n',
    token,
  });
}

/** Spends the token (one conditional UPDATE: a second use finds nothing) and marks the address verified. */
export async function verifyEmail(db: Db, token: string, now = Date.now()): Promise<void> {
  const [spent] = await db
    .update(emailVerificationTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailVerificationTokens.tokenHash, await sha256Hex(token)),
        isNull(emailVerificationTokens.usedAt),
        gt(emailVerificationTokens.expiresAt, now),
      ),
    )
    .returning({ userId: emailVerificationTokens.userId, email: emailVerificationTokens.email });
  if (!spent) throw Problem.badRequest('The verification token is invalid, expired or already used.');
  await markEmailVerified(db, spent.userId, spent.email, now);
}
