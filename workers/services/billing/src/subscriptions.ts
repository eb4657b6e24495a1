/**
 * Subscriptions as this service keeps them: a projection of the provider's (written by
 * provider-state.ts), their views, the queries on them, and the reservation that makes a user's
 * one live subscription race-free.
 */
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { type Caller, isAdmin } from '../../../lib/api.ts';
import { isUniqueViolation } from '../../../lib/db-errors.ts';
import { Problem } from '../../../lib/problem.ts';
import { DAY_MS } from './config.ts';
import type { Db } from './db/client.ts';
import { customers, type invoices, subscriptions } from './db/schema.ts';
import { type PlanRow, planView } from './plans.ts';
import type { PaymentProvider, ProviderSubscription } from './providers/provider.ts';
import { LIVE_STATUSES } from './states.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A create still in progress: the row reserves the user's one live subscription. */
export function isReservation(row: SubscriptionRow): boolean {
  return row.status === 'incomplete' && row.providerSubscriptionId === null;
}

export function graceUntil(row: SubscriptionRow, graceDays: number): Date | null {
  return row.status === 'past_due' && row.pastDueSince
    ? new Date(row.pastDueSince.getTime() + graceDays * DAY_MS)
    : null;
}

export function subscriptionView(row: SubscriptionRow, plan: PlanRow, graceDays: number) {
  return {
    subscriptionId: row.id,
    userId: row.userId,
    plan: planView(plan),
    status: row.status,
    currentPeriodStart: iso(row.currentPeriodStart),
    currentPeriodEnd: iso(row.currentPeriodEnd),
    trialEnd: iso(row.trialEnd),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    canceledAt: iso(row.canceledAt),
    endedAt: iso(row.endedAt),
    graceUntil: iso(graceUntil(row, graceDays)),
    createdAt: row.createdAt.toISOString(),
  };
}

export function invoiceView(row: typeof invoices.$inferSelect) {
  return {
    invoiceId: row.id,
    subscriptionId: row.subscriptionId,
    status: row.status,
    amountDue: row.amountDue,
    amountPaid: row.amountPaid,
    currency: row.currency,
    billingReason: row.billingReason,
    attemptCount: row.attemptCount,
    nextPaymentAttempt: iso(row.nextPaymentAttempt),
    periodStart: iso(row.periodStart),
    periodEnd: iso(row.periodEnd),
    createdAt: row.createdAt.toISOString(),
    lines: row.lines,
  };
}

/** The user's live subscription, else the latest that ended (failed creates do not count). */
export async function currentSubscription(db: Db, userId: string): Promise<SubscriptionRow | undefined> {
  const live = sql`CASE WHEN ${subscriptions.status} IN (${sql.join(
    LIVE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  )}) THEN 1 ELSE 0 END`;
  return db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), sql`${subscriptions.status} <> 'incomplete_expired'`))
    .orderBy(desc(live), desc(subscriptions.createdAt))
    .limit(1)
    .get();
}

export async function findSubscription(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  return db.select().from(subscriptions).where(eq(subscriptions.id, id)).get();
}

/** The subscription, if the caller may act on it: its user or an admin (403 otherwise). */
export async function requireSubscriptionOf(db: Db, id: string, caller: Caller): Promise<SubscriptionRow> {
  const row = await findSubscription(db, id);
  if (!row || row.status === 'incomplete_expired') throw Problem.notFound(`No subscription ${id}.`);
  if (row.userId !== caller.userId && !isAdmin(caller))
    throw Problem.forbidden('You may only manage your own subscription.');
  return row;
}

/** The row for a provider subscription: by its id, or by ours in its metadata (a create in progress). */
export async function subscriptionOfProvider(
  db: Db,
  ps: ProviderSubscription,
): Promise<SubscriptionRow | undefined> {
  const byProvider = await db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.providerSubscriptionId, ps.id))
    .get();
  if (byProvider) return byProvider;
  const ours = ps.metadata.subscriptionId;
  return ours ? findSubscription(db, ours) : undefined;
}

/**
 * Reserves the user's one live subscription before anything is charged: of two racing creates, the
 * unique partial index lets one insert and the other get 409.
 */
export async function reserveSubscription(
  db: Db,
  row: Pick<SubscriptionRow, 'id' | 'userId' | 'planId' | 'provider'>,
  now: Date,
): Promise<SubscriptionRow> {
  const reserved: SubscriptionRow = {
    ...row,
    status: 'incomplete',
    customerId: null,
    providerSubscriptionId: null,
    currentPeriodStart: null,
    currentPeriodEnd: null,
    trialEnd: null,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    pastDueSince: null,
    failureReason: null,
    syncedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.insert(subscriptions).values(reserved);
  } catch (err) {
    if (isUniqueViolation(err))
      throw Problem.conflict('The user already has an active subscription (or one is being created).');
    throw err;
  }
  return reserved;
}

/** A create that did not happen (declined, or never reached the provider): the user may try again. */
export async function releaseReservation(db: Db, id: string, reason: string, now: Date): Promise<void> {
  await db
    .update(subscriptions)
    .set({ status: 'incomplete_expired', failureReason: reason, updatedAt: now })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.providerSubscriptionId)));
}

/** The user's customer at the provider, created on first use. */
export async function customerFor(db: Db, provider: PaymentProvider, userId: string): Promise<string> {
  const where = and(eq(customers.userId, userId), eq(customers.provider, provider.name));
  const known = await db.select().from(customers).where(where).get();
  if (known) return known.customerId;
  const customerId = await provider.createCustomer(userId, `customer:${userId}`);
  await db
    .insert(customers)
    .values({ userId, provider: provider.name, customerId, createdAt: new Date() })
    .onConflictDoNothing();
  return (await db.select().from(customers).where(where).get())?.customerId ?? customerId;
}

/** Subscriptions whose state the provider should be asked for again (missed webhooks, stuck creates). */
export async function subscriptionsToReconcile(
  db: Db,
  now: number,
  reservationTimeoutMs: number,
  userId?: string,
): Promise<SubscriptionRow[]> {
  const user = userId ? eq(subscriptions.userId, userId) : undefined;
  return db
    .select()
    .from(subscriptions)
    .where(
      and(
        user,
        or(
          // Past the period's end but not told of its renewal or end.
          and(
            sql`${subscriptions.status} IN ('trialing', 'active', 'past_due')`,
            lte(subscriptions.currentPeriodEnd, new Date(now)),
          ),
          // A create that has not finished in time.
          and(
            eq(subscriptions.status, 'incomplete'),
            lte(subscriptions.createdAt, new Date(now - reservationTimeoutMs)),
          ),
        ),
      ),
    )
    .limit(200);
}

export function assertCanChange(row: SubscriptionRow): void {
  if (row.status !== 'active' && row.status !== 'trialing') {
    throw Problem.conflict(
      row.status === 'past_due'
        ? 'A payment of this subscription is overdue; it can change plan once paid.'
        : `A ${row.status} subscription cannot change plan.`,
    );
  }
}
