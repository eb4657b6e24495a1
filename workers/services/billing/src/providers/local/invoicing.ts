/**
 * Stripe's billing rules in the offline Stripe, as pure functions of its objects: invoice lines,
 * invoices (paid first from the customer's credit balance), prorations to the second, and what a
 * charge of a test card does (on or off session).
 */
import {
  addInterval,
  behaviourOf,
  type Customer,
  type Invoice,
  type InvoiceLine,
  money,
  type PaymentMethod,
  type Price,
  StripeApiError,
  type Subscription,
  stripeId,
} from './objects.ts';

/** A payment attempt: paid, or refused with Stripe's error (needing 3-D Secure, or declined). */
export type Outcome = { paid: true } | { paid: false; error: StripeApiError; actionRequired: boolean };

export function line(
  sub: Subscription,
  description: string,
  amount: number,
  start: number,
  end: number,
  proration: boolean,
): InvoiceLine {
  const item = sub.items.data[0]!;
  return {
    id: stripeId('il'),
    object: 'line_item',
    amount,
    currency: sub.currency,
    description,
    period: { start, end },
    quantity: 1,
    parent: proration
      ? {
          type: 'invoice_item_details',
          subscription_item_details: null,
          invoice_item_details: { proration: true, subscription: sub.id, invoice_item: stripeId('ii') },
        }
      : {
          type: 'subscription_item_details',
          subscription_item_details: { proration: false, subscription: sub.id, subscription_item: item.id },
          invoice_item_details: null,
        },
  };
}

export function priceLine(price: Price): string {
  return `1 × ${price.nickname ?? price.id} (at ${money(price.unit_amount, price.currency)} / ${price.recurring.interval})`;
}

/** A finalized invoice; the customer's credit balance pays what it can. */
export function newInvoice(
  sub: Subscription,
  customer: Customer,
  lines: InvoiceLine[],
  reason: Invoice['billing_reason'],
  now: number,
  periodEnd: number,
): Invoice {
  const total = lines.reduce((n, l) => n + l.amount, 0);
  const startingBalance = customer.balance;
  const afterCredit = total + startingBalance;
  customer.balance = Math.min(0, afterCredit);
  const due = Math.max(0, afterCredit);
  const id = stripeId('in');
  return {
    id,
    object: 'invoice',
    created: now,
    customer: customer.id,
    currency: sub.currency,
    status: 'open',
    billing_reason: reason,
    collection_method: 'charge_automatically',
    subtotal: total,
    total,
    starting_balance: startingBalance,
    ending_balance: customer.balance,
    amount_due: due,
    amount_paid: 0,
    amount_remaining: due,
    attempt_count: 0,
    attempted: false,
    next_payment_attempt: null,
    period_start: now,
    period_end: periodEnd,
    number: `LOCAL-${id.slice(-8).toUpperCase()}`,
    status_transitions: { finalized_at: now, paid_at: null },
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } },
    },
    metadata: {},
    livemode: false,
  };
}

export function charge(pm: PaymentMethod | null, offSession: boolean): Outcome {
  if (!pm) {
    return {
      paid: false,
      actionRequired: false,
      error: new StripeApiError(402, {
        type: 'card_error',
        code: 'payment_method_missing',
        message: 'The customer has no payment method to charge.',
      }),
    };
  }
  const b = behaviourOf(pm);
  switch (b.kind) {
    case 'succeeds':
      return { paid: true };
    case 'requires_authentication':
      return offSession
        ? {
            paid: false,
            actionRequired: false,
            error: new StripeApiError(402, {
              type: 'card_error',
              code: 'authentication_required',
              decline_code: 'authentication_required',
              message: 'Your card was declined. This transaction requires authentication.',
            }),
          }
        : {
            paid: false,
            actionRequired: true,
            error: new StripeApiError(402, {
              type: 'invalid_request_error',
              code: 'invoice_payment_intent_requires_action',
              message:
                'Payment for this subscription requires additional user action before it can be completed successfully.',
            }),
          };
    default:
      return {
        paid: false,
        actionRequired: false,
        error: new StripeApiError(402, {
          type: 'card_error',
          code: b.code,
          decline_code: b.declineCode,
          message: b.message,
        }),
      };
  }
}

/**
 * Stripe's proration: credit for the unused part of the old price and a charge for the rest of the
 * period at the new one, each the full amount times the fraction of the period left, to the second.
 * A change of interval restarts the cycle: the credit, then the new price in full.
 */
export function prorate(
  sub: Subscription,
  old: Price,
  next: Price,
  now: number,
  behaviour: string,
): InvoiceLine[] {
  if (sub.status === 'trialing') return [];
  const item = sub.items.data[0]!;
  const start = item.current_period_start;
  const end = item.current_period_end;
  const fraction = Math.max(0, Math.min(1, (end - now) / (end - start)));
  const when = new Date(now * 1000).toISOString().slice(0, 10);
  const credit = line(
    sub,
    `Unused time on ${old.nickname ?? old.id} after ${when}`,
    -Math.round(old.unit_amount * fraction),
    now,
    end,
    true,
  );
  if (next.recurring.interval !== old.recurring.interval) {
    const newEnd = addInterval(now, next.recurring.interval);
    return [credit, line(sub, priceLine(next), next.unit_amount, now, newEnd, false)];
  }
  if (behaviour === 'none') return [];
  const charge = line(
    sub,
    `Remaining time on ${next.nickname ?? next.id} after ${when}`,
    Math.round(next.unit_amount * fraction),
    now,
    end,
    true,
  );
  return [credit, charge];
}
