import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { auditEntry } from '../audit.ts';
import { type Env, settings } from '../config.ts';
import { changePlan } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { idempotent } from '../idempotency.ts';
import { priceFor, requireOfferedPlan, requirePlan } from '../plans.ts';
import { providerFor } from '../providers/index.ts';
import { PaymentActionRequired, PaymentDeclined, type ProviderInvoice } from '../providers/provider.ts';
import {
  applyProviderState,
  assertCanChange,
  requireSubscriptionOf,
  subscriptionView,
} from '../subscriptions.ts';

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
        if (err instanceof PaymentDeclined)
          throw new Problem('payment_required', `${err.message} The plan is unchanged.`, {
            extensions: { code: err.code, declineCode: err.declineCode ?? err.code },
          });
        if (err instanceof PaymentActionRequired)
          throw new Problem(
            'payment_required',
            'The card needs 3-D Secure for this payment; the plan is unchanged.',
            {
              extensions: { code: 'authentication_required', action: 'authenticate' },
            },
          );
        throw err;
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
      proration: invoice ? prorationView(invoice, row.id) : null,
    });
  });
});

function prorationView(inv: ProviderInvoice, subscriptionId: string) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    invoiceId: inv.id,
    subscriptionId,
    status: inv.status,
    amountDue: inv.amountDue,
    amountPaid: inv.amountPaid,
    currency: inv.currency,
    billingReason: inv.billingReason,
    attemptCount: inv.attemptCount,
    nextPaymentAttempt: iso(inv.nextPaymentAttempt),
    periodStart: iso(inv.periodStart),
    periodEnd: iso(inv.periodEnd),
    createdAt: new Date(inv.created).toISOString(),
    lines: inv.lines,
  };
}
