/** The admin's view of the runner fleet: who polls, what each holds, and draining one. */
import { desc, eq } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { actorOf, auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { drainRunner, listRunners, undrainRunner } from '../contract/runners.ts';
import { type Db, database } from '../db/client.ts';
import { jobs, runners } from '../db/schema.ts';

type RunnerRow = typeof runners.$inferSelect;

async function held(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ id: jobs.id, runnerId: jobs.runnerId })
    .from(jobs)
    .where(eq(jobs.state, 'processing'));
  const map = new Map<string, string[]>();
  for (const r of rows) if (r.runnerId) map.set(r.runnerId, [...(map.get(r.runnerId) ?? []), r.id]);
  return map;
}

function runnerView(r: RunnerRow, holding: Map<string, string[]>) {
  return {
    runnerId: r.id,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    drained: r.drainedAt !== null,
    drainedAt: r.drainedAt?.toISOString() ?? null,
    runningJobs: holding.get(r.id) ?? [],
  };
}

export const listRunnersHandler = implement(listRunners, async (_input, _caller, env: Env) => {
  const db = database(env.DB);
  const [rows, holding] = await Promise.all([
    db.select().from(runners).orderBy(desc(runners.lastSeenAt)).limit(500),
    held(db),
  ]);
  return json(
    200,
    rows.map((r) => runnerView(r, holding)),
  );
});

export const drainRunnerHandler = implement(drainRunner, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const now = new Date();
  const actor = actorOf(caller);
  // A runner may be drained before it ever polled (e.g. ahead of starting it).
  const [[row]] = await db.batch([
    db
      .insert(runners)
      .values({
        id: input.params.runnerId,
        firstSeenAt: now,
        lastSeenAt: now,
        drainedAt: now,
        drainedBy: actor.id,
      })
      .onConflictDoUpdate({ target: runners.id, set: { drainedAt: now, drainedBy: actor.id } })
      .returning(),
    auditEntry(db, {
      action: 'runner.drain',
      actor,
      after: { runnerId: input.params.runnerId },
      caller,
      at: now,
    }),
  ]);
  return json(200, runnerView(row!, await held(db)));
});

export const undrainRunnerHandler = implement(undrainRunner, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const now = new Date();
  const [row] = await db
    .update(runners)
    .set({ drainedAt: null, drainedBy: null })
    .where(eq(runners.id, input.params.runnerId))
    .returning();
  if (!row) throw Problem.notFound(`No runner ${input.params.runnerId}.`);
  await auditEntry(db, {
    action: 'runner.undrain',
    actor: actorOf(caller),
    after: { runnerId: row.id },
    caller,
    at: now,
  });
  return json(200, runnerView(row, await held(db)));
});
