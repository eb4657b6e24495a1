/**
 * Processing a received payment webhook, from billing's queue. The event says what happened; the
 * subscription's state comes from the provider's current answer, not from the event's snapshot, so
 * events handled late or out of order cannot roll a subscription back. What the event reports as a
 * fact (a payment succeeded or failed, a trial is about to end) is announced once: its events are
 * staged only while the provider event is unprocessed, in the batch that marks it processed.
 */
import { eq, isNull, sql } from 'drizzle-orm';
import type { Envelope } from '../../../../../queues/events.ts';
import { log } from '../../../../lib/log.ts';
import type { Env } from '../config.ts';
import { database } from '../db/client.ts';
import { providerEvents } from '../db/schema.ts';
import { type StagedEvent, stageEventIf } from '../outbox.ts';
import { applyProviderState } from '../provider-state.ts';
import { providerFor } from '../providers/index.ts';
import type { ProviderInvoice, ProviderSubscription } from '../providers/provider.ts';
import { isReservation, subscriptionOfProvider } from '../subscriptions.ts';

/** A create normally finishes in well under this; after it, webhooks settle the subscription. */
const CREATE_GRACE_MS = 60_000;

export async function processProviderEvent(
  env: Env,
  ctx: ExecutionContext,
  event: Envelope<'BillingWebhookReceived'>,
): Promise<void> {
  const e = event.data;
  const db = database(env.DB);
  const provider = providerFor(env, ctx);
  const readAt = Date.now();
  let invoice: ProviderInvoice | undefined;
  let ps: ProviderSubscription;
  if (e.objectType === 'invoice') {
    invoice = await provider.getInvoice(e.objectId);
    if (!invoice.providerSubscriptionId) return markProcessed(env, e.eventId);
    ps = await provider.getSubscription(invoice.providerSubscriptionId);
  } else if (e.objectType === 'subscription') {
    ps = await provider.getSubscription(e.objectId);
  } else {
    return markProcessed(env, e.eventId);
  }

  const row = await subscriptionOfProvider(db, ps);
  if (!row) {
    log('warn', 'webhook about a subscription this service did not create', {
      eventId: e.eventId,
      providerSubscriptionId: ps.id,
    });
    return markProcessed(env, e.eventId);
  }
  const creating = isReservation(row);
  // The create request is still writing its first state (and will announce it): let it finish.
  if (creating && row.createdAt.getTime() > Date.now() - CREATE_GRACE_MS)
    throw new Error(`subscription ${row.id} is still being created; retrying`);

  const unprocessed = sql`EXISTS (SELECT 1 FROM ${providerEvents} WHERE ${providerEvents.id} = ${e.eventId} AND ${providerEvents.processedAt} IS NULL)`;
  const facts: StagedEvent[] = [];
  const subject = row.userId;
  if (e.type === 'invoice.paid' && e.facts && e.facts.amount > 0 && invoice) {
    facts.push(
      stageEventIf(db, unprocessed, 'PaymentSucceeded', subject, {
        userId: row.userId,
        subscriptionId: row.id,
        invoiceId: invoice.id,
        amount: e.facts.amount,
        currency: e.facts.currency,
      }),
    );
  } else if (e.type === 'invoice.payment_failed' && e.facts && invoice) {
    facts.push(
      stageEventIf(db, unprocessed, 'PaymentFailed', subject, {
        userId: row.userId,
        subscriptionId: row.id,
        invoiceId: invoice.id,
        amount: e.facts.amount,
        currency: e.facts.currency,
        reason: `payment attempt ${e.facts.attemptCount} failed (${invoice.billingReason ?? 'invoice'})`,
      }),
    );
  } else if (e.type === 'customer.subscription.trial_will_end' && ps.trialEnd) {
    facts.push(
      stageEventIf(db, unprocessed, 'TrialWillEnd', subject, {
        subscriptionId: row.id,
        userId: row.userId,
        planId: row.planId,
        trialEnd: new Date(ps.trialEnd).toISOString(),
      }),
    );
  }
  await applyProviderState(env, ctx, db, row, ps, {
    readAt,
    at: Date.parse(e.created),
    ...(invoice ? { invoices: [invoice] } : {}),
    facts,
    after: [markStatement(db, e.eventId)],
    traceparent: event.traceparent,
    creating,
  });
}

function markStatement(db: ReturnType<typeof database>, eventId: string) {
  return db
    .update(providerEvents)
    .set({ processedAt: new Date() })
    .where(sql`${providerEvents.id} = ${eventId} AND ${isNull(providerEvents.processedAt)}`);
}

async function markProcessed(env: Env, eventId: string): Promise<void> {
  const db = database(env.DB);
  await db.update(providerEvents).set({ processedAt: new Date() }).where(eq(providerEvents.id, eventId));
}
