/**
 * Incoming payment webhooks, answered fast: the signature and its age are checked with Stripe's SDK
 * (a wrong or stale one is 400 and records nothing), the event is recorded once by its id, and its
 * processing is queued (BillingWebhookReceived on billing's own queue) in the same D1 batch. Events
 * this service does not act on are acknowledged and dropped.
 */
import { sql } from 'drizzle-orm';
import { deliverLater } from '../../../../../queues/outbox.ts';
import type { WorkContext } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import { database } from '../db/client.ts';
import { providerEvents } from '../db/schema.ts';
import { stageEventIf } from '../outbox.ts';
import { WebhookSignatureError } from '../providers/provider.ts';
import { verifyStripeWebhook } from '../providers/stripe-objects.ts';

export const HANDLED_EVENTS = new Set([
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
]);

export async function receiveProviderEvent(
  env: Env,
  ctx: WorkContext,
  payload: string,
  signature: string | undefined,
  traceparent?: string,
): Promise<{ duplicate: boolean }> {
  if (!signature) throw Problem.badRequest('The Stripe-Signature header is missing.');
  const s = settings(env);
  const event = await verifyStripeWebhook(
    payload,
    signature,
    s.STRIPE_WEBHOOK_SECRET,
    s.WEBHOOK_TOLERANCE_SECONDS,
  ).catch((err: unknown) => {
    if (err instanceof WebhookSignatureError)
      throw Problem.badRequest(`The webhook does not verify: ${err.message}`);
    throw err;
  });
  if (!HANDLED_EVENTS.has(event.type)) return { duplicate: false };

  const db = database(env.DB);
  const staged = stageEventIf(
    db,
    sql`NOT EXISTS (SELECT 1 FROM ${providerEvents} WHERE ${providerEvents.id} = ${event.id})`,
    'BillingWebhookReceived',
    event.objectId,
    {
      provider: s.BILLING_PROVIDER,
      eventId: event.id,
      type: event.type,
      objectType: event.objectType,
      objectId: event.objectId,
      created: new Date(event.created).toISOString(),
      ...(event.invoice
        ? {
            facts: {
              amount: event.invoice.amountDue,
              currency: event.invoice.currency,
              attemptCount: event.invoice.attemptCount,
            },
          }
        : {}),
    },
    traceparent,
  );
  const [queued] = await db.batch([
    staged.insert,
    db
      .insert(providerEvents)
      .values({ id: event.id, type: event.type, objectId: event.objectId, receivedAt: new Date() })
      .onConflictDoNothing(),
  ]);
  const fresh = ((queued as { meta?: { changes?: number } }).meta?.changes ?? 0) > 0;
  // Internal work, not a domain event: it goes to billing's queue only, not to outbound webhooks.
  if (fresh) deliverLater(ctx, env, db, [staged.event]);
  return { duplicate: !fresh };
}
