/**
 * The billing clock, run from cron (and directly by tests, with any `now`):
 *  - lets the provider's time pass: with the local provider, renewals, payment retries on the
 *    dunning schedule, trial-will-end notices and period-end cancellations happen here, and their
 *    webhooks are delivered (Stripe runs its own clock and sends its own);
 *  - reconciles with the provider what webhooks should have told us but have not: subscriptions past
 *    the end of their period, and creates that never finished (settled from the provider's answer,
 *    or released when it has none).
 * Housekeeping forgets expired idempotency keys, old entitlement changes and old webhook ids.
 */
import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { WorkContext } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { type Env, settings } from './config.ts';
import { database } from './db/client.ts';
import { customers, providerEvents } from './db/schema.ts';
import { pruneEntitlementChanges } from './entitlements.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';
import { applyProviderState } from './provider-state.ts';
import { providerFor } from './providers/index.ts';
import { isReservation, releaseReservation, subscriptionsToReconcile } from './subscriptions.ts';

export const BILLING_CLOCK_CRON = '*/5 * * * *';
export const HOUSEKEEPING_CRON = '30 * * * *';

const WEBHOOK_IDS_KEPT_MS = 30 * 24 * 3600 * 1000;

export async function runBillingClock(
  env: Env,
  ctx: WorkContext,
  now: number,
  userId?: string,
): Promise<{ reconciled: number }> {
  const provider = providerFor(env, ctx);
  await provider.advanceClock(now, userId);
  const db = database(env.DB);
  const timeout = settings(env).RESERVATION_TIMEOUT_SECONDS * 1000;
  let reconciled = 0;
  for (const row of await subscriptionsToReconcile(db, now, timeout, userId)) {
    try {
      const readAt = Date.now();
      if (isReservation(row)) {
        const customer = await db
          .select()
          .from(customers)
          .where(and(eq(customers.userId, row.userId), eq(customers.provider, provider.name)))
          .get();
        const ps = customer ? await provider.findSubscription(customer.customerId, row.id) : undefined;
        if (!ps) {
          await releaseReservation(db, row.id, 'not_created_at_provider', new Date(now));
          continue;
        }
        await applyProviderState(env, ctx, db, row, ps, {
          readAt,
          at: now,
          invoices: await provider.listInvoices(ps.id),
          creating: true,
        });
      } else if (row.providerSubscriptionId) {
        const ps = await provider.getSubscription(row.providerSubscriptionId);
        await applyProviderState(env, ctx, db, row, ps, {
          readAt,
          at: now,
          invoices: await provider.listInvoices(ps.id),
        });
      }
      reconciled++;
    } catch (err) {
      log('warn', 'reconciling a subscription failed', { subscriptionId: row.id, ...errorFields(err) });
    }
  }
  if (reconciled) log('info', 'subscriptions reconciled with the provider', { reconciled });
  return { reconciled };
}

export async function housekeeping(env: Env, now = Date.now()): Promise<void> {
  const db = database(env.DB);
  await pruneIdempotencyKeys(db, now);
  await pruneEntitlementChanges(db, now);
  await db
    .delete(providerEvents)
    .where(
      and(
        isNotNull(providerEvents.processedAt),
        lt(providerEvents.receivedAt, new Date(now - WEBHOOK_IDS_KEPT_MS)),
      ),
    );
}
