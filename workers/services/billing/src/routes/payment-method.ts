import { implement, isAdmin, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { auditEntry } from '../audit.ts';
import { type Env, settings } from '../config.ts';
import { updatePaymentMethod } from '../contract/subscriptions.ts';
import { database } from '../db/client.ts';
import { idempotent } from '../idempotency.ts';
import { paymentProblem } from '../payment-problems.ts';
import { requirePlan } from '../plans.ts';
import { applyProviderState, invoiceRow } from '../provider-state.ts';
import { providerFor } from '../providers/index.ts';
import { type ProviderInvoice, UnknownPaymentMethod } from '../providers/provider.ts';
import { LIVE_STATUSES } from '../states.ts';
import {
  currentSubscription,
  customerFor,
  invoiceView,
  isReservation,
  subscriptionView,
} from '../subscriptions.ts';

const OVERDUE = new Set(['past_due', 'unpaid']);
const UNCHANGED = 'The payment method and the subscription are unchanged.';

/**
 * Replaces the payment method of the user's live subscription. An overdue invoice is paid with the
 * new method before it becomes the default, so a refused card (402) leaves the subscription as it
 * was. What is overdue is asked of the provider, not read from the projection: a webhook may not
 * have arrived yet, and a retry after a failure half-way must not pay twice.
 */
export const updatePaymentMethodHandler = implement(
  updatePaymentMethod,
  async (input, caller, env: Env, ctx) => {
    const db = database(env.DB);
    const { userId } = input.params;
    if (userId !== caller.userId && !isAdmin(caller))
      throw Problem.forbidden('You may only manage your own subscription.');
    return idempotent(db, updatePaymentMethod.id, input, caller, async () => {
      const row = await currentSubscription(db, userId);
      if (!row) throw Problem.notFound('This user has no subscription.');
      if (isReservation(row) || !row.providerSubscriptionId)
        throw Problem.conflict('The subscription is still being created; try again shortly.');
      if (!(LIVE_STATUSES as readonly string[]).includes(row.status))
        throw Problem.conflict(`The subscription is ${row.status}; subscribe again to start a new one.`);
      const provider = providerFor(env, ctx);
      const refused = (err: unknown): never => {
        if (err instanceof UnknownPaymentMethod)
          throw Problem.badRequest('The payment method is not known to the payment provider.', [
            { path: 'paymentMethod', message: err.message },
          ]);
        throw paymentProblem(err, UNCHANGED) ?? err;
      };

      const customerId = row.customerId ?? (await customerFor(db, provider, userId));
      const paymentMethodId = await provider
        .attachPaymentMethod(input.body.paymentMethod, customerId)
        .catch(refused);
      const current = await provider.getSubscription(row.providerSubscriptionId);
      if (current.status === 'canceled' || current.status === 'incomplete_expired') {
        // Ended at the provider before its webhook got here: record that, then refuse.
        await applyProviderState(env, ctx, db, row, current, { readAt: Date.now(), at: Date.now() });
        throw Problem.conflict('The subscription has ended; subscribe again to start a new one.');
      }
      let paid: ProviderInvoice | null = null;
      if (OVERDUE.has(current.status)) {
        const open = (await provider.listInvoices(current.id)).find((i) => i.status === 'open');
        if (open)
          paid = await provider
            .payInvoice(open.id, paymentMethodId, `pay:${open.id}:${paymentMethodId}`)
            .catch(async (err: unknown) => {
              // Paid in the meantime (a concurrent request, or the provider's own retry): nothing is owed.
              if (!paymentProblem(err, UNCHANGED) && (await provider.getInvoice(open.id)).status === 'paid')
                return null;
              return refused(err);
            });
      }
      const ps = await provider.setDefaultPaymentMethod(
        current.id,
        paymentMethodId,
        `payment-method:${row.id}:${paymentMethodId}`,
      );
      const stored = await applyProviderState(env, ctx, db, row, ps, {
        readAt: Date.now(),
        at: Date.now(),
        invoices: paid ? [paid] : [],
        traceparent: caller.traceparent,
        after: [
          auditEntry(db, {
            action: 'subscription.payment_method',
            caller,
            subjectId: row.id,
            before: { status: row.status },
            after: { status: ps.status, paidInvoice: paid?.id ?? null },
            at: new Date(),
          }),
        ],
      });
      const plan = await requirePlan(db, stored.planId);
      return json(200, {
        ...subscriptionView(stored, plan, settings(env).DUNNING_GRACE_DAYS),
        paidInvoice: paid ? invoiceView(invoiceRow(paid, row, Date.now())) : null,
      });
    });
  },
);
