/**
 * Idempotency-Key for every write, as Stripe does it: the first request with a key runs and its
 * answer (success or a 4xx problem) is kept for 24 hours; a retry with the same key and the same
 * request answers that again without running anything; the same key with another request is 422; a
 * retry while the first still runs is 409. A 5xx keeps nothing, so the client may retry — the
 * provider calls inside carry idempotency keys of their own, so nothing is charged twice.
 * Keys are scoped to the caller: two users cannot collide, or read each other's answers.
 */
import { and, eq, isNull, lt, type SQL } from 'drizzle-orm';
import { type Caller, isAdmin, type Reply, type RouteInput } from '../../../lib/api.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem, type SerializedProblem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { idempotencyKeys } from './db/schema.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

type Stored = { kind: 'reply'; reply: Reply } | { kind: 'problem'; problem: SerializedProblem };

function scopeOf(caller: Caller): string {
  if (caller.userId) return `user:${caller.userId}`;
  if (caller.apiKey) return `key:${caller.apiKey.id}`;
  return isAdmin(caller) ? 'admin' : 'anonymous';
}

/** Runs a write once per Idempotency-Key; without a key it simply runs. */
export async function idempotent<R extends Reply>(
  db: Db,
  routeId: string,
  input: RouteInput,
  caller: Caller,
  run: () => Promise<R>,
): Promise<R> {
  const key = input.headers['idempotency-key'];
  if (!key) return run();
  if (key.length > 255) throw Problem.badRequest('The Idempotency-Key is longer than 255 characters.');
  const scope = scopeOf(caller);
  const fingerprint = await sha256Hex(JSON.stringify([routeId, input.params, input.body ?? null]));
  const now = new Date();
  const where = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  // A key older than 24 hours is forgotten (the hourly sweep may not have got to it yet).
  const [, claimed] = await db.batch([
    db
      .delete(idempotencyKeys)
      .where(and(where, lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)))),
    db
      .insert(idempotencyKeys)
      .values({ scope, key, fingerprint, status: null, reply: null, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key }),
  ]);
  if (!claimed.length) return replay(db, where, fingerprint) as Promise<R>;

  try {
    const reply = await run();
    const stored: Stored = { kind: 'reply', reply };
    await db.update(idempotencyKeys).set({ status: reply.status, reply: stored }).where(where);
    return reply;
  } catch (err) {
    if (err instanceof Problem && err.status < 500) {
      const stored: Stored = { kind: 'problem', problem: err.toJSON() };
      await db.update(idempotencyKeys).set({ status: err.status, reply: stored }).where(where);
    } else {
      await db.delete(idempotencyKeys).where(where);
    }
    throw err;
  }
}

async function replay(db: Db, where: SQL | undefined, fingerprint: string): Promise<Reply> {
  const row = await db.select().from(idempotencyKeys).where(where).get();
  if (!row) throw Problem.conflict('This Idempotency-Key was just released; send the request again.');
  if (row.fingerprint !== fingerprint) {
    throw new Problem(
      'unprocessable',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    );
  }
  if (row.status === null)
    throw Problem.conflict('A request with this Idempotency-Key is still being processed; retry shortly.');
  const stored = row.reply as Stored;
  if (stored.kind === 'problem') throw Problem.fromJSON(stored.problem);
  return { ...stored.reply, headers: { ...stored.reply.headers, 'Idempotent-Replayed': 'true' } };
}

/** Forgets keys older than 24 hours and records of requests that never finished. */
export async function pruneIdempotencyKeys(db: Db, now = Date.now()): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now - IDEMPOTENCY_TTL_MS)));
  await db
    .delete(idempotencyKeys)
    .where(and(isNull(idempotencyKeys.status), lt(idempotencyKeys.createdAt, new Date(now - 3600_000))));
}
