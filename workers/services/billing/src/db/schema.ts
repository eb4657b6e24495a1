/**
 * The billing database. migrations/billing/*.sql create exactly these tables; a test compares the
 * migrated database with this file column by column. Money is in minor units (cents), times in ms.
 * No card data is ever stored: the provider keeps payment methods, we keep its ids.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { LIVE_STATUSES, PLAN_INTERVALS, SUBSCRIPTION_STATUSES } from '../states.ts';

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  price: integer('price').notNull(),
  currency: text('currency').notNull(),
  interval: text('interval', { enum: PLAN_INTERVALS }).notNull(),
  /** The tallest rendition the plan may stream (480, 1080, 2160). */
  maxResolution: integer('max_resolution').notNull(),
  maxStreams: integer('max_streams').notNull(),
  trialDays: integer('trial_days').notNull(),
  /** Retired plans stay for their subscribers but are not offered. */
  active: integer('active', { mode: 'boolean' }).notNull(),
  /** Bumped by every edit; the catalogue's ETag is built from it. */
  version: integer('version').notNull(),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/**
 * The provider price behind each price a plan has had: prices are immutable at the provider, so a
 * new amount gets a new price and existing subscribers keep theirs until they change plan.
 */
export const planPrices = sqliteTable(
  'plan_prices',
  {
    priceId: text('price_id').primaryKey(),
    provider: text('provider').notNull(),
    planId: text('plan_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    interval: text('interval').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [uniqueIndex('plan_prices_terms').on(t.provider, t.planId, t.amount, t.currency, t.interval)],
);

/** The provider customer of each user. */
export const customers = sqliteTable(
  'customers',
  {
    userId: text('user_id').notNull(),
    provider: text('provider').notNull(),
    customerId: text('customer_id').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.provider] })],
);

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    planId: text('plan_id').notNull(),
    /** Stripe's statuses; `incomplete` with no provider id is a create in progress (a reservation). */
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull(),
    provider: text('provider').notNull(),
    customerId: text('customer_id'),
    providerSubscriptionId: text('provider_subscription_id'),
    currentPeriodStart: ms('current_period_start'),
    currentPeriodEnd: ms('current_period_end'),
    trialEnd: ms('trial_end'),
    cancelAtPeriodEnd: integer('cancel_at_period_end', { mode: 'boolean' }).notNull(),
    canceledAt: ms('canceled_at'),
    endedAt: ms('ended_at'),
    /** When payments started failing; the grace period counts from here. */
    pastDueSince: ms('past_due_since'),
    /** Why a create failed (the decline code), for support. */
    failureReason: text('failure_reason'),
    /** When the provider state last written here was read: older reads never overwrite newer ones. */
    syncedAt: ms('synced_at'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    // At most one live subscription per user: two racing creates cannot both reserve one.
    uniqueIndex('subscriptions_one_live_per_user')
      .on(t.userId)
      .where(sql.raw(`status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`)),
    uniqueIndex('subscriptions_provider_id').on(t.providerSubscriptionId),
    index('subscriptions_user_created').on(t.userId, t.createdAt),
    index('subscriptions_status_period').on(t.status, t.currentPeriodEnd),
  ],
);

export interface InvoiceLine {
  description: string;
  amount: number;
  proration: boolean;
}

/** A projection of the provider's invoices, refreshed from its current state on every webhook. */
export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull(),
    userId: text('user_id').notNull(),
    status: text('status').notNull(),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid').notNull(),
    currency: text('currency').notNull(),
    billingReason: text('billing_reason'),
    attemptCount: integer('attempt_count').notNull(),
    nextPaymentAttempt: ms('next_payment_attempt'),
    periodStart: ms('period_start'),
    periodEnd: ms('period_end'),
    lines: text('lines', { mode: 'json' }).$type<InvoiceLine[]>().notNull(),
    createdAt: ms('created_at').notNull(),
    syncedAt: ms('synced_at').notNull(),
  },
  (t) => [index('invoices_user_created').on(t.userId, t.createdAt)],
);

/** Incoming provider webhook events, by the provider's event id: each is processed once. */
export const providerEvents = sqliteTable(
  'provider_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    objectId: text('object_id').notNull(),
    receivedAt: ms('received_at').notNull(),
    processedAt: ms('processed_at'),
  },
  (t) => [index('provider_events_received').on(t.receivedAt)],
);

/**
 * Idempotency-Key records, per caller: the first answer, replayed to retries of the same request.
 * `status` is null while the first request is still running.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    reply: text('reply', { mode: 'json' }).$type<unknown>(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);

/**
 * A feed of users whose entitlement changed, read by every isolate's entitlement cache to evict what
 * another isolate changed. Rows are forgotten after a day.
 */
export const entitlementChanges = sqliteTable(
  'entitlement_changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    at: ms('at').notNull(),
  },
  (t) => [index('entitlement_changes_at').on(t.at)],
);

/** Who changed what in billing (plans, subscriptions), when, with the record before and after. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: ms('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorType: text('actor_type').notNull(),
    action: text('action').notNull(),
    subjectId: text('subject_id').notNull(),
    before: text('before', { mode: 'json' }).$type<unknown>(),
    after: text('after', { mode: 'json' }).$type<unknown>(),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [index('audit_subject').on(t.subjectId, t.at)],
);

/** Outbound webhooks: endpoints, their audit trail, events handed to their queues. */
export * from './webhook-tables.ts';
