/**
 * Subscriptions as this service keeps them: a projection of the provider's, written only from what
 * the provider answered (after our own calls, and on every webhook, from its current state). One
 * function, `applyProviderState`, writes that projection, with the events and entitlement changes
 * it causes, in one D1 batch; a read older than the last one written never overwrites it, so
 * webhooks may arrive in any order.
 */
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Envelope, EventData, EventType } from '../../../../queues/events.ts';
import { type Caller, isAdmin, type WorkContext } from '../../../lib/api.ts';
import { isUniqueViolation } from '../../../lib/db-errors.ts';
import { Problem } from '../../../lib/problem.ts';
import { DAY_MS, type Env } from './config.ts';
import type { Db } from './db/client.ts';
import { customers, entitlementChanges, invoices, subscriptions } from './db/schema.ts';
import { forgetEntitlement } from './entitlements.ts';
import { publish, type StagedEvent, stageEventIf } from './outbox.ts';
import { type PlanRow, planOfPrice, planView } from './plans.ts';
import type { PaymentProvider, ProviderInvoice, ProviderSubscription } from './providers/provider.ts';
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

export interface Sync {
  /** When the provider's answer was read (ms). */
  readAt: number;
  /** When the change happened at the provider (ms), as far as the caller knows. */
  at: number;
  /** Invoices read with it, to refresh in the projection. */
  invoices?: ProviderInvoice[];
  /** Events the caller staged for the same batch (facts a webhook reports), and statements after them. */
  facts?: StagedEvent[];
  after?: BatchItem<'sqlite'>[];
  traceparent?: string;
  /** The create's own first write: it announces SubscriptionCreated rather than an update. */
  creating?: boolean;
}

/**
 * Writes what the provider says about a subscription, in one batch with its invoices, the events
 * the change causes and an entitlement change. Answers the row as stored afterwards. The write
 * applies only over the row it was compared with (so the events describe the real change) and only
 * if no newer read of the provider is stored; when another write came in between, it compares again.
 */
export async function applyProviderState(
  env: Env,
  ctx: WorkContext,
  db: Db,
  row: SubscriptionRow,
  ps: ProviderSubscription,
  sync: Sync,
): Promise<SubscriptionRow> {
  let current = row;
  let once: Sync = sync;
  for (let attempt = 0; attempt < 5; attempt++) {
    const written = await writeProviderState(env, ctx, db, current, ps, once);
    if (written) return written;
    const stored = await findSubscription(db, row.id);
    if (!stored || (stored.syncedAt && stored.syncedAt.getTime() > sync.readAt)) return stored ?? current;
    current = stored;
    // The facts and statements that came with it were written with the first batch.
    once = { ...sync, facts: [], after: [] };
  }
  throw new Error(`subscription ${row.id} kept changing while its state was written`);
}

/** One attempt: the row as written, or undefined when the row was no longer `row`. */
async function writeProviderState(
  env: Env,
  ctx: WorkContext,
  db: Db,
  row: SubscriptionRow,
  ps: ProviderSubscription,
  sync: Sync,
): Promise<SubscriptionRow | undefined> {
  const now = new Date(Math.max(Date.now(), row.updatedAt.getTime() + 1));
  const planId = (await planOfPrice(db, ps.priceId)) ?? row.planId;
  const status = ps.status;
  const next: SubscriptionRow = {
    ...row,
    planId,
    status,
    customerId: ps.customerId,
    providerSubscriptionId: ps.id,
    currentPeriodStart: new Date(ps.currentPeriodStart),
    currentPeriodEnd: new Date(ps.currentPeriodEnd),
    trialEnd: ps.trialEnd === null ? null : new Date(ps.trialEnd),
    cancelAtPeriodEnd: ps.cancelAtPeriodEnd,
    canceledAt: ps.canceledAt === null ? null : new Date(ps.canceledAt),
    endedAt: ps.endedAt === null ? null : new Date(ps.endedAt),
    pastDueSince: status === 'past_due' ? (row.pastDueSince ?? failedSince(ps, sync)) : null,
    syncedAt: new Date(sync.readAt),
    updatedAt: now,
  };
  const same = (a: unknown, b: unknown) =>
    (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b);
  const changed = (
    ['status', 'planId', 'cancelAtPeriodEnd', 'currentPeriodEnd', 'trialEnd', 'pastDueSince'] as const
  ).filter((k) => !same(row[k], next[k]));

  // Events of the state change are staged only if this write applied (a newer read may have won).
  const applied = sql`EXISTS (SELECT 1 FROM ${subscriptions} WHERE ${subscriptions.id} = ${row.id} AND ${subscriptions.updatedAt} = ${now.getTime()})`;
  const staged: StagedEvent[] = [];
  const stage = <T extends EventType>(type: T, data: EventData<T>) =>
    staged.push(stageEventIf(db, applied, type, row.userId, data, sync.traceparent));
  if (sync.creating) {
    stage('SubscriptionCreated', {
      subscriptionId: row.id,
      userId: row.userId,
      planId,
      status: status as 'active' | 'trialing' | 'incomplete' | 'past_due',
    });
  } else if (changed.length) {
    stage('SubscriptionUpdated', {
      subscriptionId: row.id,
      userId: row.userId,
      planId,
      status,
      ...(row.status !== status ? { previousStatus: row.status } : {}),
      ...(row.planId !== planId ? { previousPlanId: row.planId } : {}),
      cancelAtPeriodEnd: next.cancelAtPeriodEnd,
      currentPeriodEnd: iso(next.currentPeriodEnd),
    });
  }
  // SubscriptionCanceled once per subscription: when a cancellation is asked for, or when it ends
  // without one having been asked for (payments failed, or ended at the provider).
  if (!row.cancelAtPeriodEnd && next.cancelAtPeriodEnd && status !== 'canceled') {
    stage('SubscriptionCanceled', {
      subscriptionId: row.id,
      userId: row.userId,
      endsAt: next.currentPeriodEnd!.toISOString(),
      reason: 'requested',
    });
  } else if (status === 'canceled' && row.status !== 'canceled' && !row.cancelAtPeriodEnd) {
    stage('SubscriptionCanceled', {
      subscriptionId: row.id,
      userId: row.userId,
      endsAt: (next.endedAt ?? now).toISOString(),
      reason: row.status === 'past_due' || row.status === 'unpaid' ? 'payment_failed' : 'provider',
    });
  }

  const { id: _id, createdAt: _created, ...fields } = next;
  const statements: BatchItem<'sqlite'>[] = [
    db
      .update(subscriptions)
      .set(fields)
      .where(
        and(
          eq(subscriptions.id, row.id),
          eq(subscriptions.updatedAt, row.updatedAt),
          or(isNull(subscriptions.syncedAt), lte(subscriptions.syncedAt, new Date(sync.readAt))),
        ),
      ),
    ...(sync.invoices ?? []).map((inv) => upsertInvoice(db, inv, row, sync.readAt)),
    ...(changed.length || sync.creating
      ? [db.insert(entitlementChanges).values({ userId: row.userId, at: now })]
      : []),
  ];
  const events = [...staged, ...(sync.facts ?? [])];
  const results = await db.batch([
    statements[0]!,
    ...statements.slice(1),
    ...events.map((e) => e.insert),
    ...(sync.after ?? []),
  ] as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  const inserted = events.filter((_, i) => changesOf(results[statements.length + i]) > 0).map((e) => e.event);
  publish(ctx, env, db, inserted as Envelope[]);
  forgetEntitlement(row.userId);
  return changesOf(results[0]) > 0 ? next : undefined;
}

/**
 * When payments started failing: the open invoice's creation (a renewal is charged as it is
 * created), else when we learned of it.
 */
function failedSince(ps: ProviderSubscription, sync: Sync): Date {
  const open = (sync.invoices ?? []).filter((i) => i.status === 'open' && i.providerSubscriptionId === ps.id);
  const first = Math.min(sync.at, ...open.map((i) => i.created));
  return new Date(first);
}

function changesOf(result: unknown): number {
  return (result as { meta?: { changes?: number } } | undefined)?.meta?.changes ?? 0;
}

/** A provider invoice as this service keeps it, for one of its subscriptions. */
export function invoiceRow(
  inv: ProviderInvoice,
  sub: Pick<SubscriptionRow, 'id' | 'userId'>,
  readAt: number,
): typeof invoices.$inferSelect {
  const date = (t: number | null) => (t === null ? null : new Date(t));
  return {
    id: inv.id,
    subscriptionId: sub.id,
    userId: sub.userId,
    status: inv.status,
    amountDue: inv.amountDue,
    amountPaid: inv.amountPaid,
    currency: inv.currency,
    billingReason: inv.billingReason,
    attemptCount: inv.attemptCount,
    nextPaymentAttempt: date(inv.nextPaymentAttempt),
    periodStart: date(inv.periodStart),
    periodEnd: date(inv.periodEnd),
    lines: inv.lines,
    createdAt: new Date(inv.created),
    syncedAt: new Date(readAt),
  };
}

function upsertInvoice(db: Db, inv: ProviderInvoice, row: SubscriptionRow, readAt: number) {
  const values = invoiceRow(inv, row, readAt);
  const { id: _id, subscriptionId: _s, userId: _u, createdAt: _c, ...update } = values;
  return db
    .insert(invoices)
    .values(values)
    .onConflictDoUpdate({
      target: invoices.id,
      set: update,
      setWhere: lte(invoices.syncedAt, new Date(readAt)),
    });
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
