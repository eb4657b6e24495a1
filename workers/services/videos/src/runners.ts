/**
 * The runner fleet, PeerTube-style: an admin creates a registration token (shown once), a runner
 * registers with it and gets its own runner token (shown once); both are kept as SHA-256 only. An
 * admin can drain a runner (it claims nothing new) or revoke it (its token stops working and the
 * jobs it holds are reclaimed at once).
 */
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Caller } from '../../../lib/api.ts';
import { newId, randomToken, sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import { actorOf, auditEntry } from './audit.ts';
import type { Env } from './config.ts';
import { type Db, database } from './db/client.ts';
import { jobs, runnerRegistrationTokens, runners } from './db/schema.ts';
import { reclaimRunnerJobs } from './jobs.ts';
import type { RunnerRow } from './runner-access.ts';

type RegistrationTokenRow = typeof runnerRegistrationTokens.$inferSelect;

export interface RegistrationTokenOptions {
  description?: string | undefined;
  maxUses: number;
  expiresInSeconds: number;
}

export function registrationTokenView(row: RegistrationTokenRow, now = new Date()) {
  const state = row.revokedAt
    ? 'revoked'
    : row.uses >= row.maxUses
      ? 'spent'
      : row.expiresAt <= now
        ? 'expired'
        : 'active';
  return {
    tokenId: row.id,
    description: row.description,
    maxUses: row.maxUses,
    uses: row.uses,
    state,
    expiresAt: row.expiresAt.toISOString(),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  } as const;
}

export async function createRegistrationToken(
  env: Env,
  options: RegistrationTokenOptions,
  caller: Caller,
  now = new Date(),
): Promise<{ row: RegistrationTokenRow; registrationToken: string }> {
  const db = database(env.DB);
  const registrationToken = randomToken();
  const actor = actorOf(caller);
  const [[row]] = await db.batch([
    db
      .insert(runnerRegistrationTokens)
      .values({
        id: newId('rrt'),
        tokenHash: await sha256Hex(registrationToken),
        description: options.description ?? null,
        maxUses: options.maxUses,
        uses: 0,
        expiresAt: new Date(now.getTime() + options.expiresInSeconds * 1000),
        createdBy: actor.id,
        createdAt: now,
      })
      .returning(),
    auditEntry(db, {
      action: 'runner.registration_token_create',
      actor,
      after: { description: options.description ?? null, maxUses: options.maxUses },
      caller,
      at: now,
    }),
  ]);
  return { row: row!, registrationToken };
}

export async function listRegistrationTokens(env: Env): Promise<RegistrationTokenRow[]> {
  return database(env.DB)
    .select()
    .from(runnerRegistrationTokens)
    .orderBy(desc(runnerRegistrationTokens.createdAt))
    .limit(500);
}

/** Runners registered with the token keep their own tokens; revoke them one by one if need be. */
export async function revokeRegistrationToken(
  env: Env,
  tokenId: string,
  caller: Caller,
  now = new Date(),
): Promise<void> {
  const db = database(env.DB);
  const actor = actorOf(caller);
  const [revoked] = await db.batch([
    db
      .update(runnerRegistrationTokens)
      .set({
        revokedAt: sql`coalesce(${runnerRegistrationTokens.revokedAt}, ${now.getTime()})`,
        revokedBy: actor.id,
      })
      .where(eq(runnerRegistrationTokens.id, tokenId))
      .returning({ id: runnerRegistrationTokens.id }),
    auditEntry(db, {
      action: 'runner.registration_token_revoke',
      actor,
      after: { tokenId },
      caller,
      at: now,
    }),
  ]);
  if (revoked.length === 0) throw Problem.notFound(`No registration token ${tokenId}.`);
}

/**
 * Spends one use of the registration token on a new runner. The insert and the count run in one
 * batch (one transaction), so a token of n uses registers at most n runners whatever the races.
 */
export async function registerRunner(
  env: Env,
  input: { registrationToken: string; name: string },
  caller: Caller,
  now = new Date(),
): Promise<{ runner: RunnerRow; runnerToken: string }> {
  const db = database(env.DB);
  const runnerId = newId('rnr');
  const runnerToken = randomToken();
  const t = runnerRegistrationTokens;
  const usable = and(
    eq(t.tokenHash, await sha256Hex(input.registrationToken)),
    isNull(t.revokedAt),
    lt(t.uses, t.maxUses),
    gt(t.expiresAt, now),
  );
  const [inserted] = await db.batch([
    // Columns in table order: id, name, token_hash, registration_token_id, registered_at,
    // last_seen_at, drained_at, drained_by, revoked_at, revoked_by.
    db
      .insert(runners)
      .select(
        sql`SELECT ${runnerId}, ${input.name}, ${await sha256Hex(runnerToken)}, ${t.id}, ${now.getTime()}, ${now.getTime()}, NULL, NULL, NULL, NULL FROM ${t} WHERE ${usable}`,
      )
      .returning(),
    db
      .update(t)
      .set({ uses: sql`${t.uses} + 1` })
      .where(
        eq(
          t.id,
          sql`(SELECT ${runners.registrationTokenId} FROM ${runners} WHERE ${runners.id} = ${runnerId})`,
        ),
      ),
  ]);
  const runner = inserted[0];
  if (!runner) throw Problem.unauthorized('The registration token is invalid, spent, expired or revoked.');
  await auditEntry(db, {
    action: 'runner.register',
    actor: { id: runner.id, type: 'runner' },
    after: { runnerId: runner.id, name: runner.name, registrationTokenId: runner.registrationTokenId },
    caller,
    at: now,
  });
  return { runner, runnerToken };
}

async function requireRunnerRow(db: Db, runnerId: string): Promise<RunnerRow> {
  const row = await db.query.runners.findFirst({ where: eq(runners.id, runnerId) });
  if (!row) throw Problem.notFound(`No runner ${runnerId}.`);
  return row;
}

/** The runner's token stops working at once, and the jobs it holds are claimable again at once. */
export async function revokeRunner(
  env: Env,
  runnerId: string,
  caller: Caller,
  now = new Date(),
): Promise<RunnerRow> {
  const db = database(env.DB);
  const before = await requireRunnerRow(db, runnerId);
  if (before.revokedAt) return before;
  const actor = actorOf(caller);
  await db.batch([
    db
      .update(runners)
      .set({ revokedAt: now, revokedBy: actor.id })
      .where(and(eq(runners.id, runnerId), isNull(runners.revokedAt))),
    ...reclaimRunnerJobs(db, runnerId, 'the runner was revoked', now),
    auditEntry(db, { action: 'runner.revoke', actor, after: { runnerId }, caller, at: now }),
  ]);
  return requireRunnerRow(db, runnerId);
}

/** Drained, a runner finishes what it holds but claims nothing new; `drained: false` lets it claim again. */
export async function setDrained(
  env: Env,
  runnerId: string,
  drained: boolean,
  caller: Caller,
  now = new Date(),
): Promise<RunnerRow> {
  const db = database(env.DB);
  const actor = actorOf(caller);
  const [[row]] = await db.batch([
    db
      .update(runners)
      .set(drained ? { drainedAt: now, drainedBy: actor.id } : { drainedAt: null, drainedBy: null })
      .where(eq(runners.id, runnerId))
      .returning(),
    auditEntry(db, {
      action: drained ? 'runner.drain' : 'runner.undrain',
      actor,
      after: { runnerId },
      caller,
      at: now,
    }),
  ]);
  if (!row) throw Problem.notFound(`No runner ${runnerId}.`);
  return row;
}

/** The jobs each runner holds right now. */
export async function heldJobs(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ id: jobs.id, runnerId: jobs.runnerId })
    .from(jobs)
    .where(eq(jobs.state, 'processing'));
  const map = new Map<string, string[]>();
  for (const r of rows) if (r.runnerId) map.set(r.runnerId, [...(map.get(r.runnerId) ?? []), r.id]);
  return map;
}

export async function listRunners(db: Db): Promise<RunnerRow[]> {
  return db.select().from(runners).orderBy(desc(runners.lastSeenAt)).limit(500);
}

export function runnerView(r: RunnerRow, holding: Map<string, string[]>) {
  return {
    runnerId: r.id,
    name: r.name,
    registeredAt: r.registeredAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    drained: r.drainedAt !== null,
    drainedAt: r.drainedAt?.toISOString() ?? null,
    revoked: r.revokedAt !== null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    runningJobs: holding.get(r.id) ?? [],
  };
}
