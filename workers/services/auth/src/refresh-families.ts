/**
 * Refresh tokens: opaque, stored as SHA-256, single use. Each sign-in starts a family; every
 * refresh spends the presented token and mints its successor in the same family. Presenting a
 * spent token again means two parties hold the family's tokens, so the whole family is revoked.
 * Revoking a family also revokes the account's access tokens (src/revocation.ts).
 */
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { type LoginMethod, refreshFamilies, refreshTokens, users } from './db/schema.ts';
import type { StagedEvent } from './events.ts';
import { revokeAccessTokens } from './revocation.ts';

export type RevocationReason = NonNullable<(typeof refreshFamilies.$inferSelect)['revokedReason']>;

export interface MintedRefresh {
  familyId: string;
  refreshToken: string;
}

export interface SpentRefresh extends MintedRefresh {
  userId: string;
  method: LoginMethod;
}

function invalid() {
  return Problem.unauthorized('The refresh token is invalid, expired or revoked.');
}

async function tokenRow(familyId: string, ttlMs: number, now: number) {
  const refreshToken = randomToken(32);
  return {
    refreshToken,
    row: { tokenHash: await sha256Hex(refreshToken), familyId, issuedAt: now, expiresAt: now + ttlMs },
  };
}

export async function startFamily(
  db: Db,
  userId: string,
  method: LoginMethod,
  ttlMs: number,
  alongside: StagedEvent[] = [],
  now = Date.now(),
): Promise<MintedRefresh> {
  const familyId = newId('rfm');
  const { refreshToken, row } = await tokenRow(familyId, ttlMs, now);
  await db.batch([
    db.insert(refreshFamilies).values({ id: familyId, userId, method, createdAt: now }),
    db.insert(refreshTokens).values(row),
    ...alongside.map((e) => e.insert),
  ]);
  return { familyId, refreshToken };
}

/**
 * Revokes a live family and its account's access tokens. A family that already ended revokes
 * nothing more, so replaying one of its tokens cannot keep cutting the account's other sessions.
 */
export async function revokeFamily(db: Db, familyId: string, reason: RevocationReason, now = Date.now()) {
  const live = and(eq(refreshFamilies.id, familyId), isNull(refreshFamilies.revokedAt));
  const owner = db.select({ id: refreshFamilies.userId }).from(refreshFamilies).where(live);
  await db.batch([
    revokeAccessTokens(db, inArray(users.id, owner), now),
    db.update(refreshFamilies).set({ revokedAt: now, revokedReason: reason }).where(live),
  ]);
}

/** The statement revoking every live family of an account (its access tokens are revoked apart). */
export function revokeUserFamilies(db: Db, userId: string, reason: RevocationReason, now = Date.now()) {
  return db
    .update(refreshFamilies)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt)));
}

/**
 * Spends a refresh token and mints its successor. The spend is one conditional UPDATE, so of two
 * concurrent refreshes with the same token exactly one wins; the other is treated as reuse.
 */
export async function rotate(
  db: Db,
  presented: string,
  ttlMs: number,
  now = Date.now(),
): Promise<SpentRefresh> {
  const hash = await sha256Hex(presented);
  const liveFamilies = db
    .select({ id: refreshFamilies.id })
    .from(refreshFamilies)
    .where(isNull(refreshFamilies.revokedAt));
  const [spent] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, hash),
        isNull(refreshTokens.usedAt),
        gt(refreshTokens.expiresAt, now),
        inArray(refreshTokens.familyId, liveFamilies),
      ),
    )
    .returning({ familyId: refreshTokens.familyId });
  if (!spent) {
    const known = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, hash) });
    if (known?.usedAt != null) {
      await revokeFamily(db, known.familyId, 'reuse', now);
      log('warn', 'refresh token reuse: family revoked', { familyId: known.familyId });
    }
    throw invalid();
  }
  const family = await db.query.refreshFamilies.findFirst({ where: eq(refreshFamilies.id, spent.familyId) });
  if (!family) throw invalid();
  const next = await tokenRow(family.id, ttlMs, now);
  await db.insert(refreshTokens).values(next.row);
  return {
    familyId: family.id,
    refreshToken: next.refreshToken,
    userId: family.userId,
    method: family.method,
  };
}

/** Logout: revokes the family of the presented token, spent or not. Unknown tokens change nothing. */
export async function revokeFamilyOf(db: Db, presented: string, now = Date.now()): Promise<boolean> {
  const known = await db.query.refreshTokens.findFirst({
    where: eq(refreshTokens.tokenHash, await sha256Hex(presented)),
  });
  if (!known) return false;
  await revokeFamily(db, known.familyId, 'logout', now);
  return true;
}
