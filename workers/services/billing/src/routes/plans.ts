import { eq, sql } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import { isUniqueViolation } from '../../../../lib/db-errors.ts';
import { newId } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import { auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { createPlan, listPlans, updatePlan } from '../contract/plans.ts';
import { database } from '../db/client.ts';
import { plans } from '../db/schema.ts';
import { idempotent } from '../idempotency.ts';
import { offeredPlans, type PlanRow, planView, requirePlan } from '../plans.ts';

export const listPlansHandler = implement(listPlans, async (_input, _caller, env: Env) => {
  const { plans: rows, etag } = await offeredPlans(database(env.DB));
  return json(200, rows.map(planView), { ETag: etag });
});

export const createPlanHandler = implement(createPlan, async (input, caller, env: Env) => {
  const db = database(env.DB);
  return idempotent(db, createPlan.id, input, caller, async () => {
    const { planId, ...terms } = input.body;
    const now = new Date();
    const row: PlanRow = {
      id: planId ?? newId('plan'),
      ...terms,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await db.batch([
        db.insert(plans).values(row),
        auditEntry(db, { action: 'plan.create', caller, subjectId: row.id, after: planView(row), at: now }),
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) throw Problem.conflict(`A plan ${row.id} exists.`);
      throw err;
    }
    return json(201, planView(row), { Location: '/plans' });
  });
});

export const updatePlanHandler = implement(updatePlan, async (input, caller, env: Env) => {
  const db = database(env.DB);
  return idempotent(db, updatePlan.id, input, caller, async () => {
    const before = await requirePlan(db, input.params.planId);
    const patch = Object.fromEntries(Object.entries(input.body).filter(([, v]) => v !== undefined));
    const now = new Date();
    await db.batch([
      db
        .update(plans)
        .set({ ...patch, version: sql`${plans.version} + 1`, updatedAt: now })
        .where(eq(plans.id, before.id)),
      auditEntry(db, {
        action: 'plan.update',
        caller,
        subjectId: before.id,
        before: planView(before),
        after: planView({ ...before, ...patch }),
        at: now,
      }),
    ]);
    const after = await requirePlan(db, before.id);
    return json(200, planView(after));
  });
});
