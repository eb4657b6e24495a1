/**
 * The one writer of the subscription projection: what the provider answered (after our own calls,
 * on every webhook, on reconciliation) is written with its invoices, the events the change causes
 * and an entitlement change, in one D1 batch. A read older than the last one written never
 * overwrites it, so webhooks may arrive in any order.
 */
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Envelope, EventData, EventType } from '../../../../queues/events.ts';
import type { WorkContext } from '../../../lib/api.ts';
import type { Env } from './config.ts';
import type { Db } from './db/client.ts';
import { entitlementChanges, invoices, subscriptions } from './db/schema.ts';
import { forgetEntitlement } from './entitlements.ts';
import { publish, type StagedEvent, stageEventIf } from './outbox.ts';
import { planOfPrice } from './plans.ts';
import type { ProviderInvoice, ProviderSubscription } from './providers/provider.ts';
import { findSubscription, type SubscriptionRow } from './subscriptions.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

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
