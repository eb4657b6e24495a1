/**
 * API keys for third-party clients: `evk_<8 visible chars>_<256-bit secret>`. Only the SHA-256 of
 * the whole key is stored (the secret's entropy makes a slow hash unnecessary); the visible
 * prefix lets people tell keys apart in listings and logs.
 */

import { and, eq, isNull } from 'drizzle-orm';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { newestFirst } from '../../../lib/paging.ts';
import { API_KEY_SCOPES, type ApiKeyScope } from './contract/api-keys.ts';
import type { Db } from './db/client.ts';
import { type ApiKeyRow, apiKeys, users } from './db/schema.ts';
import { rolesOf } from './users.ts';

const KEY_SHAPE = /^evk_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/;
const PREFIX_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** lastUsedAt is a hint for audits; writing it once a minute per key is plenty. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface VerifiedApiKey {
  id: string;
  ownerId: string;
  scopes: ApiKeyScope[];
}

function visiblePrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `evk_${[...bytes].map((b) => PREFIX_ALPHABET[b % 32]).join('')}`;
}

function iso(ms: number | null) {
  return ms === null ? null : new Date(ms).toISOString();
}

export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    ownerId: row.ownerId,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

export async function issueApiKey(
  db: Db,
  ownerId: string,
  req: { name: string; scopes: ApiKeyScope[]; expiresInDays?: number | undefined },
  now = Date.now(),
) {
  const prefix = visiblePrefix();
  const key = `${prefix}_${randomToken(32)}`;
  const row: ApiKeyRow = {
    id: newId('key'),
    ownerId,
    name: req.name.trim(),
    prefix,
    keyHash: await sha256Hex(key),
    scopes: [...new Set(req.scopes)],
    createdAt: now,
    expiresAt: req.expiresInDays ? now + req.expiresInDays * 86_400_000 : null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { ...apiKeyView(row), key };
}

export async function listApiKeys(db: Db, page: number, limit: number) {
  const { rows, total } = await newestFirst(
    db,
    apiKeys,
    { time: apiKeys.createdAt, id: apiKeys.id },
    { page, limit },
  );
  return { keys: rows.map(apiKeyView), total };
}

/** False when there is no such key; revoking twice is fine. */
export async function revokeApiKey(db: Db, id: string, now = Date.now()): Promise<boolean> {
  const row = await db.query.apiKeys.findFirst({ where: eq(apiKeys.id, id) });
  if (!row) return false;
  await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  return true;
}

/**
 * What the gateway learns about a presented key, or null. A key carries its scopes and nothing
 * more: no role, whatever its owner may do. Scopes no longer on the list (the retired `admin`) are
 * dropped, and a key left with none is dead. It dies with its owner's admin role too, since only
 * admins may hold keys.
 */
export async function verifyApiKey(
  db: Db,
  key: string,
  now = Date.now(),
): Promise<{ verified: VerifiedApiKey; touch?: Promise<unknown> } | null> {
  if (!KEY_SHAPE.test(key)) return null;
  const [found] = await db
    .select({ key: apiKeys, ownerRoles: users.roles })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.ownerId))
    .where(eq(apiKeys.keyHash, await sha256Hex(key)));
  if (!found) return null;
  const row = found.key;
  if (row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) return null;
  if (!rolesOf({ roles: found.ownerRoles }).includes('admin')) return null;
  const scopes = row.scopes.filter((s) => (API_KEY_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0) return null;
  const verified: VerifiedApiKey = { id: row.id, ownerId: row.ownerId, scopes };
  const stale = row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS;
  if (!stale) return { verified };
  return { verified, touch: db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)) };
}
