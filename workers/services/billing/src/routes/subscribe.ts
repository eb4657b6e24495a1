import { implement, isAdmin, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import { auditEntry } from '../audit.ts';
import type { Env } from '../config.ts';
import { createSubscription } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { idempotent } from '../idempotency.ts';
import { paymentProblem } from '../payment-problems.ts';
import { priceFor, requireOfferedPlan } from '../plans.ts';
import { applyProviderState } from '../provider-state.ts';
import { providerFor } from '../providers/index.ts';
import { PaymentDeclined, UnknownPaymentMethod } from '../providers/provider.ts';
import { customerFor, releaseReservation, reserveSubscription } from '../subscriptions.ts';

/**
 * Reserve the user's one live subscription, then create it at the provider (its idempotency key is
 * our subscription id), then record what the provider answered. A refused payment releases the
 * reservation and answers 402; an unknown failure leaves it for the clock to settle from the
 * provider (RESERVATION_TIMEOUT_SECONDS), so a charge is never lost.
 */
export const subscribeHandler = implement(createSubscription, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  return idempotent(db, createSubscription.id, input, caller, async () => {
    const { userId, planId, paymentMethod } = input.body;
    if (userId !== caller.userId && !isAdmin(caller))
      throw Problem.forbidden('You may only subscribe yourself.');
    const plan = await requireOfferedPlan(db, planId);
    const provider = providerFor(env, ctx);
    const now = new Date();
    const id = newId('sub');
    const reservation = await reserveSubscription(db, { id, userId, planId, provider: provider.name }, now);
    let created: Awaited<ReturnType<typeof provider.createSubscription>>;
    let charging = false;
    try {
      const customerId = await customerFor(db, provider, userId);
      const priceId = await priceFor(db, provider, plan);
      const paymentMethodId = await provider.attachPaymentMethod(paymentMethod, customerId);
      charging = true;
      created = await provider.createSubscription(
        {
          customerId,
          priceId,
          paymentMethodId,
          trialDays: plan.trialDays,
          metadata: { subscriptionId: id, userId, planId },
        },
        `subscription:${id}`,
      );
    } catch (err) {
      throw await refused(db, id, err, charging);
    }
    const row = await applyProviderState(env, ctx, db, reservation, created, {
      readAt: Date.now(),
      at: Date.now(),
      invoices: created.latestInvoice ? [created.latestInvoice] : [],
      traceparent: caller.traceparent,
      creating: true,
      after: [
        auditEntry(db, {
          action: 'subscription.create',
          caller,
          subjectId: id,
          after: { planId, status: created.status },
          at: now,
        }),
      ],
    });
    return json(
      201,
      {
        subscriptionId: row.id,
        status: row.status,
        planId: row.planId,
        currentPeriodEnd: row.currentPeriodEnd?.toISOString() ?? null,
        trialEnd: row.trialEnd?.toISOString() ?? null,
      },
      { Location: `/subscriptions/${userId}` },
    );
  });
});

/** The problem a failed create answers; a refused payment frees the user to try again. */
async function refused(
  db: ReturnType<typeof database>,
  id: string,
  err: unknown,
  charging: boolean,
): Promise<Error> {
  const now = new Date();
  const refusal = paymentProblem(err, 'Nothing was charged and no subscription was started.');
  if (refusal) {
    const reason = err instanceof PaymentDeclined ? (err.declineCode ?? err.code) : 'authentication_required';
    await releaseReservation(db, id, reason, now);
    return refusal;
  }
  if (err instanceof UnknownPaymentMethod) {
    await releaseReservation(db, id, 'unknown_payment_method', now);
    return Problem.badRequest('The payment method is not known to the payment provider.', [
      { path: 'paymentMethod', message: err.message },
    ]);
  }
  if (!charging) {
    // Nothing can have been charged yet: free the user to try again at once.
    await releaseReservation(db, id, 'failed_before_payment', now);
    return err as Error;
  }
  // The provider may or may not have created it: the clock asks it later and settles either way.
  log('error', 'subscription create failed; the clock will settle it from the provider', {
    subscriptionId: id,
    ...errorFields(err),
  });
  return err as Error;
}
