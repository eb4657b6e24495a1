/** Plans: the catalogue, its view, and the provider price behind each price a plan has had. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { planPrices, plans } from './db/schema.ts';
import type { PaymentProvider } from './providers/provider.ts';

export type PlanRow = typeof plans.$inferSelect;

export function planView(p: PlanRow) {
  return {
    planId: p.id,
    name: p.name,
    price: p.price,
    currency: p.currency,
    interval: p.interval,
    maxResolution: p.maxResolution,
    maxStreams: p.maxStreams,
    trialDays: p.trialDays,
    active: p.active,
  };
}

/** The plans on offer and a validator of the catalogue that changes with every edit. */
export async function offeredPlans(db: Db): Promise<{ plans: PlanRow[]; etag: string }> {
  const [rows, [version]] = await Promise.all([
    db.select().from(plans).where(eq(plans.active, true)).orderBy(asc(plans.price), asc(plans.id)),
    // Every plan's edits count (retiring one changes the list too), and so does the number of plans.
    db
      .select({
        v: sql<string>`count(*) || '.' || coalesce(sum(${plans.version}), 0) || '.' || coalesce(max(${plans.updatedAt}), 0)`,
      })
      .from(plans),
  ]);
  return { plans: rows, etag: `W/"plans-${version?.v ?? '0'}"` };
}

export async function findPlan(db: Db, planId: string): Promise<PlanRow | undefined> {
  return db.select().from(plans).where(eq(plans.id, planId)).get();
}

export async function requirePlan(db: Db, planId: string): Promise<PlanRow> {
  const plan = await findPlan(db, planId);
  if (!plan) throw Problem.notFound(`No plan ${planId}.`);
  return plan;
}

/** A plan new subscriptions and plan changes may choose. */
export async function requireOfferedPlan(db: Db, planId: string): Promise<PlanRow> {
  const plan = await findPlan(db, planId);
  if (!plan?.active) throw Problem.notFound(`No plan ${planId} is on offer.`);
  return plan;
}

/**
 * The provider price for the plan's current terms, created on first use. The provider's idempotency
 * key is the terms themselves, so racing requests end up with one price.
 */
export async function priceFor(db: Db, provider: PaymentProvider, plan: PlanRow): Promise<string> {
  const terms = and(
    eq(planPrices.provider, provider.name),
    eq(planPrices.planId, plan.id),
    eq(planPrices.amount, plan.price),
    eq(planPrices.currency, plan.currency),
    eq(planPrices.interval, plan.interval),
  );
  const known = await db.select({ priceId: planPrices.priceId }).from(planPrices).where(terms).get();
  if (known) return known.priceId;
  const priceId = await provider.createPrice(
    {
      planId: plan.id,
      name: plan.name,
      amount: plan.price,
      currency: plan.currency,
      interval: plan.interval,
    },
    `price:${plan.id}:${plan.price}:${plan.currency}:${plan.interval}`,
  );
  await db
    .insert(planPrices)
    .values({
      priceId,
      provider: provider.name,
      planId: plan.id,
      amount: plan.price,
      currency: plan.currency,
      interval: plan.interval,
      createdAt: new Date(),
    })
    .onConflictDoNothing();
  return priceId;
}

/** The plan a provider price belongs to (prices we created for it). */
export async function planOfPrice(db: Db, priceId: string): Promise<string | undefined> {
  const row = await db
    .select({ planId: planPrices.planId })
    .from(planPrices)
    .where(eq(planPrices.priceId, priceId))
    .get();
  return row?.planId;
}
