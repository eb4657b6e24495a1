/**
 * Idempotency-Key for history and rating writes. The record of a key is inserted in the very batch
 * that makes the change, and every other statement of that batch is guarded by "this request won
 * the key" — so however many identical requests race, exactly one changes anything and emits
 * anything; the others find its record (the batch committed whole) and answer its answer. The same
 * key with another request is 422. Keys belong to the profile's user and last 24 hours. Refusals
 * (4xx) are not recorded: they change nothing, and a retry may succeed once, say, the video exists.
 */
import { and, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Reply, RouteInput } from '../../../lib/api.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { idempotencyKeys } from './db/schema.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export interface IdempotentRequest {
  userId: string;
  key: string;
  fingerprint: string;
}

/** The request's key and fingerprint, or undefined when it carries no Idempotency-Key. */
export async function idempotencyOf(
  routeId: string,
  userId: string,
  input: RouteInput,
): Promise<IdempotentRequest | undefined> {
  const key = input.headers['idempotency-key'];
  if (!key) return undefined;
  if (key.length > 255) throw Problem.badRequest('The Idempotency-Key is longer than 255 characters.');
  const fingerprint = await sha256Hex(JSON.stringify([routeId, input.params, input.body ?? null]));
  return { userId, key, fingerprint };
}

/** The first answer to this key, if there was one: replayed, or 422 for a different request. */
export async function earlierAnswer(
  db: Db,
  req: IdempotentRequest,
  now = Date.now(),
): Promise<Reply | undefined> {
  const where = and(eq(idempotencyKeys.userId, req.userId), eq(idempotencyKeys.key, req.key));
  const row = await db.select().from(idempotencyKeys).where(where).get();
  if (!row) return undefined;
  if (row.createdAt.getTime() < now - IDEMPOTENCY_TTL_MS) {
    await db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.claim, row.claim)));
    return undefined;
  }
  if (row.fingerprint !== req.fingerprint) {
    throw new Problem(
      'unprocessable',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    );
  }
  return { ...row.reply, headers: { ...row.reply.headers, 'Idempotent-Replayed': 'true' } };
}

export interface Claim {
  /** The statement that records the key; first in the batch. */
  insert: ReturnType<typeof claimInsert>;
  /** "This request won the key": guard every other statement of the batch with it. */
  won: SQL;
}

function claimInsert(db: Db, req: IdempotentRequest, claim: string, reply: Reply, now: Date) {
  return db
    .insert(idempotencyKeys)
    .values({
      userId: req.userId,
      key: req.key,
      fingerprint: req.fingerprint,
      claim,
      reply: { status: reply.status, body: reply.body, headers: reply.headers },
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ claim: idempotencyKeys.claim });
}

/** The key's record, holding the answer this request will give if it wins. */
export function claimKey(
  db: Db,
  req: IdempotentRequest | undefined,
  reply: Reply,
  now: Date,
): Claim | undefined {
  if (!req) return undefined;
  const claim = crypto.randomUUID();
  return {
    insert: claimInsert(db, req, claim, reply, now),
    won: sql`EXISTS (SELECT 1 FROM ${idempotencyKeys} WHERE ${idempotencyKeys.userId} = ${req.userId}
      AND ${idempotencyKeys.key} = ${req.key} AND ${idempotencyKeys.claim} = ${claim})`,
  };
}

/** Forgets keys older than 24 hours. */
export async function pruneIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now - IDEMPOTENCY_TTL_MS)));
}

/**
 * Runs a write once per key: an earlier answer is replayed; otherwise `write` runs (building its
 * batch with `claimKey`) and tells whether its claim won; a request that lost the race to an
 * identical one answers the winner's answer.
 */
export async function oncePerKey<R extends Reply>(
  db: Db,
  req: IdempotentRequest | undefined,
  write: () => Promise<{ reply: R; won: boolean }>,
): Promise<R> {
  const earlier = req && (await earlierAnswer(db, req));
  if (earlier) return earlier as R;
  const { reply, won } = await write();
  if (won || !req) return reply;
  const winner = await earlierAnswer(db, req);
  if (!winner) throw Problem.conflict('A request with this Idempotency-Key just failed; send it again.');
  return winner as R;
}
