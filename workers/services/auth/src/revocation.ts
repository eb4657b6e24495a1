/**
 * Access tokens are verified at the gateway without asking auth, so ending them before they expire
 * takes a per-account tokens-not-before (epoch ms). A token carries the value current when it was
 * minted (`tnb`); every revocation moves the account's value forward, in the same batch as the
 * change that calls for it (role change, logout, revoked refresh family, password reset), and the
 * gateway refuses tokens carrying an older one within REVOCATION_DELAY_MS (lib/access-token.ts).
 * A deleted account has none: its tokens are refused as well.
 */
import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { users } from './db/schema.ts';

/** The new tokens_not_before of a revocation: now, and always past the previous one. */
export function advancedNotBefore(now = Date.now()): SQL {
  return sql`max(${users.tokensNotBefore} + 1, ${now})`;
}

/** Revokes the access tokens minted so far for the accounts `which` selects (a batch item). */
export function revokeAccessTokens(db: Db, which: SQL, now = Date.now()) {
  return db
    .update(users)
    .set({ tokensNotBefore: advancedNotBefore(now) })
    .where(which);
}

/** The account's tokens-not-before, or null when there is no such account. */
export async function tokensNotBefore(db: Db, userId: string): Promise<number | null> {
  const [row] = await db.select({ notBefore: users.tokensNotBefore }).from(users).where(eq(users.id, userId));
  return row ? row.notBefore : null;
}
