/**
 * Stripe's objects (API version of the installed SDK: periods on subscription items, an invoice's
 * subscription under `parent.subscription_details`) read into the provider's types. Both providers
 * answer Stripe's shapes, the SDK's and the local stand-in's, so this is the one reading of them.
 * The types below are the subset of Stripe's fields read here; the SDK's own types satisfy them.
 */
import Stripe from 'stripe';
import type { SubscriptionStatus } from '../states.ts';
import {
  PaymentActionRequired,
  PaymentDeclined,
  type ProviderEvent,
  type ProviderInvoice,
  type ProviderSubscription,
  UnknownPaymentMethod,
  WebhookSignatureError,
} from './provider.ts';

type Ref = string | { id: string };
const idOf = (r: Ref): string => (typeof r === 'string' ? r : r.id);
const ms = (seconds: number) => seconds * 1000;
const msOrNull = (seconds: number | null | undefined) => (seconds == null ? null : seconds * 1000);

export interface StripeInvoiceLike {
  id: string;
  object: 'invoice';
  status: string | null;
  amount_due: number;
  amount_paid: number;
  currency: string;
  billing_reason: string | null;
  attempt_count: number;
  next_payment_attempt: number | null;
  period_start: number;
  period_end: number;
  created: number;
  lines: {
    data: Array<{
      description: string | null;
      amount: number;
      parent: {
        subscription_item_details?: { proration: boolean } | null;
        invoice_item_details?: { proration: boolean } | null;
      } | null;
    }>;
  };
  parent: {
    subscription_details: { subscription: Ref; metadata: Record<string, string> | null } | null;
  } | null;
}

export interface StripeSubscriptionLike {
  id: string;
  object: 'subscription';
  customer: Ref;
  status: string;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  ended_at: number | null;
  trial_end: number | null;
  metadata: Record<string, string>;
  items: {
    data: Array<{ current_period_start: number; current_period_end: number; price: { id: string } }>;
  };
  latest_invoice: string | StripeInvoiceLike | null;
}

export function readInvoice(inv: StripeInvoiceLike): ProviderInvoice {
  const details = inv.parent?.subscription_details ?? null;
  return {
    id: inv.id,
    providerSubscriptionId: details ? idOf(details.subscription) : null,
    subscriptionId: details?.metadata?.subscriptionId ?? null,
    status: inv.status ?? 'draft',
    amountDue: inv.amount_due,
    amountPaid: inv.amount_paid,
    currency: inv.currency,
    billingReason: inv.billing_reason,
    attemptCount: inv.attempt_count,
    nextPaymentAttempt: msOrNull(inv.next_payment_attempt),
    periodStart: ms(inv.period_start),
    periodEnd: ms(inv.period_end),
    created: ms(inv.created),
    lines: inv.lines.data.map((l) => ({
      description: l.description ?? '',
      amount: l.amount,
      proration: Boolean(
        l.parent?.subscription_item_details?.proration ?? l.parent?.invoice_item_details?.proration,
      ),
    })),
  };
}

export function readSubscription(sub: StripeSubscriptionLike): ProviderSubscription {
  const item = sub.items.data[0];
  if (!item) throw new Error(`subscription ${sub.id} has no item`);
  return {
    id: sub.id,
    customerId: idOf(sub.customer),
    status: sub.status as SubscriptionStatus,
    priceId: item.price.id,
    currentPeriodStart: ms(item.current_period_start),
    currentPeriodEnd: ms(item.current_period_end),
    trialEnd: msOrNull(sub.trial_end),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    canceledAt: msOrNull(sub.canceled_at),
    endedAt: msOrNull(sub.ended_at),
    metadata: sub.metadata,
    latestInvoice:
      sub.latest_invoice && typeof sub.latest_invoice === 'object' ? readInvoice(sub.latest_invoice) : null,
  };
}

const crypto = Stripe.createSubtleCryptoProvider();

/**
 * Verifies a webhook as Stripe signs it (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 of `t.payload`)
 * with the SDK, within `toleranceSeconds` of now, and reads what it says.
 */
export async function verifyStripeWebhook(
  payload: string,
  signature: string,
  secret: string,
  toleranceSeconds: number,
): Promise<ProviderEvent> {
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(payload, signature, secret, toleranceSeconds, crypto);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError)
      throw new WebhookSignatureError(err.message);
    // A payload that is not JSON: the sender is not Stripe.
    throw new WebhookSignatureError('The webhook payload is not a Stripe event.');
  }
  const object = event.data.object as { id?: string; object?: string };
  if (!object.id || !object.object) throw new WebhookSignatureError('The event names no object.');
  return {
    id: event.id,
    type: event.type,
    created: ms(event.created),
    objectType: object.object,
    objectId: object.id,
    invoice: object.object === 'invoice' ? readInvoice(object as unknown as StripeInvoiceLike) : null,
  };
}

/** Stripe's error object, as the API answers it (`{ error: { type, code, decline_code, … } }`). */
export interface StripeErrorLike {
  type?: string;
  code?: string | undefined;
  decline_code?: string | undefined;
  message?: string | undefined;
  param?: string | undefined;
}

/** The provider's failures that mean something to a caller; anything else stays an error. */
export function readStripeError(status: number, err: StripeErrorLike): Error {
  const message = err.message ?? 'The payment provider refused the request.';
  if (err.code === 'invoice_payment_intent_requires_action')
    return new PaymentActionRequired(message, err.code);
  if (err.type === 'card_error')
    return new PaymentDeclined(message, err.code ?? 'card_declined', err.decline_code);
  if (err.code === 'resource_missing' && /PaymentMethod/i.test(message))
    return new UnknownPaymentMethod(message);
  return new Error(`payment provider answered ${status} ${err.type ?? ''} ${err.code ?? ''}: ${message}`);
}
