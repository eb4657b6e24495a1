import { implement, json } from '../../../../lib/api.ts';
import { auditEntry } from '../audit.ts';
import { type Env, settings } from '../config.ts';
import { changePlan } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { idempotent } from '../idempotency.ts';
import { paymentProblem } from '../payment-problems.ts';
import { priceFor, requireOfferedPlan, requirePlan } from '../plans.ts';
import { applyProviderState, invoiceRow } from '../provider-state.ts';
import { providerFor } from '../providers/index.ts';
import { assertCanChange, invoiceView, requireSubscriptionOf, subscriptionView } from '../subscriptions.ts';

/**
 * Moves the subscription to another plan now. The provider prorates to the second and invoices the
 * difference at once; a refused payment changes nothing (402).
 */
export const changePlanHandler = implement(changePlan, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  const grace = settings(env).DUNNING_GRACE_DAYS;
  return idempotent(db, changePlan.id, input, caller, async () => {
    const row = await requireSubscriptionOf(db, input.params.id, caller);
    assertCanChange(row);
    const plan = await requireOfferedPlan(db, input.body.planId);
    if (plan.id === row.planId) return json(200, { ...subscriptionView(row, plan, grace), proration: null });
    const provider = providerFor(env, ctx);
    const priceId = await priceFor(db, provider, plan);
    const ps = await provider
      .changePrice(
        row.providerSubscriptionId!,
        priceId,
        `change:${row.id}:${plan.id}:${row.updatedAt.getTime()}`,
      )
      .catch((err: unknown) => {
        throw paymentProblem(err, 'The plan is unchanged.') ?? err;
      });
    const invoice = ps.latestInvoice?.billingReason === 'subscription_update' ? ps.latestInvoice : null;
    const stored = await applyProviderState(env, ctx, db, row, ps, {
      readAt: Date.now(),
      at: Date.now(),
      invoices: invoice ? [invoice] : [],
      traceparent: caller.traceparent,
      after: [
        auditEntry(db, {
          action: 'subscription.change',
          caller,
          subjectId: row.id,
          before: { planId: row.planId },
          after: { planId: plan.id, prorationInvoice: invoice?.id ?? null },
          at: new Date(),
        }),
      ],
    });
    const current = await requirePlan(db, stored.planId);
    return json(200, {
      ...subscriptionView(stored, current, grace),
      proration: invoice ? invoiceView(invoiceRow(invoice, row, Date.now())) : null,
    });
  });
});
