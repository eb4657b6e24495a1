/**
 * The requests this platform makes of Stripe's API, built once: the Stripe provider sends them with
 * the SDK, the local provider hands them to its offline Stripe as they are.
 */
import type Stripe from 'stripe';
import type { CreateSubscription, PlanTerms } from './provider.ts';

export function customerRequest(userId: string): Stripe.CustomerCreateParams {
  return { metadata: { userId } };
}

export function priceRequest(plan: PlanTerms): Stripe.PriceCreateParams {
  return {
    currency: plan.currency,
    unit_amount: plan.amount,
    recurring: { interval: plan.interval },
    product_data: { name: plan.name, metadata: { planId: plan.planId } },
    metadata: { planId: plan.planId },
  };
}

export function subscriptionRequest(p: CreateSubscription): Stripe.SubscriptionCreateParams {
  return {
    customer: p.customerId,
    items: [{ price: p.priceId }],
    default_payment_method: p.paymentMethodId,
    ...(p.trialDays > 0 ? { trial_period_days: p.trialDays } : {}),
    // A first payment that fails (declined, or needing 3-D Secure) creates nothing.
    payment_behavior: 'error_if_incomplete',
    metadata: p.metadata,
    expand: ['latest_invoice'],
  };
}

/** Stripe computes the proration and invoices it now; a refused payment changes nothing. */
export function priceChangeRequest(itemId: string, priceId: string): Stripe.SubscriptionUpdateParams {
  return {
    items: [{ id: itemId, price: priceId }],
    proration_behavior: 'always_invoice',
    payment_behavior: 'error_if_incomplete',
    expand: ['latest_invoice'],
  };
}

export function cancelAtPeriodEndRequest(cancel: boolean): Stripe.SubscriptionUpdateParams {
  return { cancel_at_period_end: cancel };
}

/** The subscription's future invoices are charged to this payment method (one of the customer's). */
export function defaultPaymentMethodRequest(paymentMethodId: string): Stripe.SubscriptionUpdateParams {
  return { default_payment_method: paymentMethodId };
}

/** Pays an open invoice now with this payment method, the cardholder present (on-session). */
export function invoicePayRequest(paymentMethodId: string): Stripe.InvoicePayParams {
  return { payment_method: paymentMethodId, off_session: false };
}
