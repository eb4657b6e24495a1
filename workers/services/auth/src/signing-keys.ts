/**
 * RS256 signing keys with pre-published rotation: besides the `current` key the JWKS always holds
 * the `next` one, so verifiers have cached it before anything is signed with it. Rotation turns
 * next → current and current → retired; a retired key stays published for the overlap, so tokens
 * it signed keep verifying until they expire.
 */
import { and, eq, gt, inArray, or } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { ACCESS_TOKEN_ALG } from '../../../lib/access-token.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { isUniqueViolation } from './db/errors.ts';
import { type SigningKeyRow, signingKeys } from './db/schema.ts';
import { unwrap, wrap } from './key-wrap.ts';

export interface PublicJwk extends JsonWebKey {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** How long an isolate signs with the key it loaded before asking D1 again. */
const CURRENT_KEY_TTL_MS = 30_000;
let cachedCurrent: { key: SigningKey; loadedAt: number } | undefined;

export function forgetCurrentKey() {
  cachedCurrent = undefined;
}

async function newKeyRow(kek: CryptoKey, status: 'next' | 'current', now: number) {
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    extractable: true,
    modulusLength: 2048,
  });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return {
    kid,
    status,
    publicJwk: { ...pub, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' } as PublicJwk,
    privateJwkWrapped: await wrap(kek, kid, JSON.stringify(await exportJWK(privateKey))),
    createdAt: now,
    activatedAt: status === 'current' ? now : null,
  };
}

async function liveKeys(db: Db) {
  const rows = await db
    .select()
    .from(signingKeys)
    .where(inArray(signingKeys.status, ['current', 'next']));
  return {
    current: rows.find((r) => r.status === 'current'),
    next: rows.find((r) => r.status === 'next'),
  };
}

/**
 * Makes sure a current and a next key exist (first start). Concurrent callers race on the unique
 * index; the losers' inserts are dropped and everyone reads the winners.
 */
export async function ensureSigningKeys(db: Db, kek: CryptoKey, now = Date.now()) {
  let live = await liveKeys(db);
  if (live.current && live.next) return live as { current: SigningKeyRow; next: SigningKeyRow };
  const missing: ('current' | 'next')[] = [];
  if (!live.current) missing.push('current');
  if (!live.next) missing.push('next');
  for (const status of missing) {
    await db
      .insert(signingKeys)
      .values(await newKeyRow(kek, status, now))
      .onConflictDoNothing();
  }
  live = await liveKeys(db);
  if (!live.current || !live.next) throw new Error('signing keys could not be created');
  return live as { current: SigningKeyRow; next: SigningKeyRow };
}

async function importPrivate(kek: CryptoKey, row: SigningKeyRow): Promise<SigningKey> {
  const jwk = JSON.parse(await unwrap(kek, row.kid, row.privateJwkWrapped)) as JWK;
  return { kid: row.kid, privateKey: (await importJWK(jwk, ACCESS_TOKEN_ALG)) as CryptoKey };
}

export async function currentSigningKey(db: Db, kek: CryptoKey, now = Date.now()): Promise<SigningKey> {
  if (cachedCurrent && now - cachedCurrent.loadedAt < CURRENT_KEY_TTL_MS) return cachedCurrent.key;
  const { current } = await ensureSigningKeys(db, kek, now);
  const key = await importPrivate(kek, current);
  cachedCurrent = { key, loadedAt: now };
  return key;
}

/** The JWKS: next, current, and retired keys still inside their overlap. */
export async function publishedKeys(db: Db, now = Date.now()): Promise<PublicJwk[]> {
  const rows = await db
    .select({ publicJwk: signingKeys.publicJwk, status: signingKeys.status })
    .from(signingKeys)
    .where(
      or(
        inArray(signingKeys.status, ['current', 'next']),
        and(eq(signingKeys.status, 'retired'), gt(signingKeys.expiresAt, now)),
      ),
    );
  const order = { current: 0, next: 1, retired: 2 } as const;
  return rows.sort((a, b) => order[a.status] - order[b.status]).map((r) => r.publicJwk as PublicJwk);
}

/** The JWKS document, creating the first keys when there are none yet. */
export async function keySet(db: Db, kek: () => Promise<CryptoKey>): Promise<{ keys: PublicJwk[] }> {
  const keys = await publishedKeys(db);
  if (keys.length > 0) return { keys };
  await ensureSigningKeys(db, await kek());
  return { keys: await publishedKeys(db) };
}

export interface Rotation {
  current: string;
  next: string;
  retired: string;
  retiredUntil: string;
}

export async function rotateSigningKeys(
  db: Db,
  kek: CryptoKey,
  overlapMs: number,
  now = Date.now(),
): Promise<Rotation> {
  const { current, next } = await ensureSigningKeys(db, kek, now);
  const upcoming = await newKeyRow(kek, 'next', now);
  const retiredUntil = now + overlapMs;
  try {
    await db.batch([
      db
        .update(signingKeys)
        .set({ status: 'retired', retiredAt: now, expiresAt: retiredUntil })
        .where(and(eq(signingKeys.kid, current.kid), eq(signingKeys.status, 'current'))),
      db
        .update(signingKeys)
        .set({ status: 'current', activatedAt: now })
        .where(and(eq(signingKeys.kid, next.kid), eq(signingKeys.status, 'next'))),
      db.insert(signingKeys).values(upcoming),
    ]);
  } catch (err) {
    // The unique index refused a second `next`: another rotation won the race.
    if (isUniqueViolation(err))
      throw Problem.conflict('Another key rotation finished first; read the JWKS and retry if needed.');
    throw err;
  }
  forgetCurrentKey();
  return {
    current: next.kid,
    next: upcoming.kid,
    retired: current.kid,
    retiredUntil: new Date(retiredUntil).toISOString(),
  };
}
