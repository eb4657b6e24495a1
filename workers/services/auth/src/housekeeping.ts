/**
 * Deletes what can no longer matter, on the hourly cron. A spent refresh token is kept until it
 * would have expired, since presenting it again before then must still revoke its family.
 */
import { and, isNotNull, lt, or } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import {
  emailVerificationTokens,
  mailbox,
  oauthFlows,
  passwordResetTokens,
  refreshFamilies,
  refreshTokens,
  signingKeys,
} from './db/schema.ts';

const MAILBOX_KEEP_MS = 7 * 24 * 3600_000;

export async function purgeExpired(db: Db, refreshTtlMs: number, now = Date.now()) {
  const [tokens, families, resets, verifications, flows, mails, keys] = await db.batch([
    db
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, now))
      .returning({ x: refreshTokens.tokenHash }),
    // A revoked family's tokens are all refused; once they would have expired it is history.
    db
      .delete(refreshFamilies)
      .where(and(isNotNull(refreshFamilies.revokedAt), lt(refreshFamilies.revokedAt, now - refreshTtlMs)))
      .returning({ x: refreshFamilies.id }),
    db
      .delete(passwordResetTokens)
      .where(or(lt(passwordResetTokens.expiresAt, now), isNotNull(passwordResetTokens.usedAt)))
      .returning({ x: passwordResetTokens.tokenHash }),
    // Kept until they expire even when spent: the resend throttle counts them.
    db
      .delete(emailVerificationTokens)
      .where(lt(emailVerificationTokens.expiresAt, now))
      .returning({ x: emailVerificationTokens.tokenHash }),
    db.delete(oauthFlows).where(lt(oauthFlows.expiresAt, now)).returning({ x: oauthFlows.stateHash }),
    db
      .delete(mailbox)
      .where(lt(mailbox.createdAt, now - MAILBOX_KEEP_MS))
      .returning({ x: mailbox.id }),
    db.delete(signingKeys).where(lt(signingKeys.expiresAt, now)).returning({ x: signingKeys.kid }),
  ]);
  return {
    refreshTokens: tokens.length,
    refreshFamilies: families.length,
    passwordResetTokens: resets.length,
    emailVerificationTokens: verifications.length,
    oauthFlows: flows.length,
    mailbox: mails.length,
    signingKeys: keys.length,
  };
}
