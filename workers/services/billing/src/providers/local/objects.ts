/**
 * The objects of the offline Stripe stand-in, in Stripe's JSON shapes (the fields this platform and
 * Stripe's SDK read, with Stripe's names), and Stripe's test payment methods with their behaviour.
 * Times are Unix seconds, as in Stripe's API.
 */
import Stripe from 'stripe';

export const API_VERSION = Stripe.API_VERSION;

export type Metadata = Record<string, string>;

export interface Customer {
  id: string;
  object: 'customer';
  created: number;
  email: string | null;
  /** Negative: credit owed to the customer (from downgrades), applied to the next invoice. */
  balance: number;
  invoice_settings: { default_payment_method: string | null };
  metadata: Metadata;
  livemode: false;
}

export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  type: 'card';
  created: number;
  customer: string | null;
  card: {
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    funding: 'credit';
    country: 'US';
  };
  metadata: Metadata;
  livemode: false;
}

export interface Price {
  id: string;
  object: 'price';
  active: boolean;
  created: number;
  currency: string;
  unit_amount: number;
  type: 'recurring';
  recurring: { interval: 'month' | 'year'; interval_count: 1; usage_type: 'licensed' };
  product: string;
  nickname: string | null;
  lookup_key: string | null;
  metadata: Metadata;
  livemode: false;
}

export interface SubscriptionItem {
  id: string;
  object: 'subscription_item';
  created: number;
  current_period_start: number;
  current_period_end: number;
  price: Price;
  quantity: 1;
  metadata: Metadata;
  subscription: string;
}

export interface Subscription {
  id: string;
  object: 'subscription';
  created: number;
  start_date: number;
  customer: string;
  currency: string;
  status: 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid';
  billing_cycle_anchor: number;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { reason: 'cancellation_requested' | 'payment_failed' | null } | null;
  ended_at: number | null;
  trial_start: number | null;
  trial_end: number | null;
  collection_method: 'charge_automatically';
  default_payment_method: string | null;
  latest_invoice: string | Invoice | null;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: false; url: string };
  metadata: Metadata;
  livemode: false;
}

export interface InvoiceLine {
  id: string;
  object: 'line_item';
  amount: number;
  currency: string;
  description: string;
  period: { start: number; end: number };
  quantity: 1;
  parent: {
    type: 'subscription_item_details' | 'invoice_item_details';
    subscription_item_details: { proration: boolean; subscription: string; subscription_item: string } | null;
    invoice_item_details: { proration: boolean; subscription: string; invoice_item: string } | null;
  };
}

export interface Invoice {
  id: string;
  object: 'invoice';
  created: number;
  customer: string;
  currency: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  billing_reason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  collection_method: 'charge_automatically';
  subtotal: number;
  total: number;
  starting_balance: number;
  ending_balance: number;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  next_payment_attempt: number | null;
  period_start: number;
  period_end: number;
  number: string;
  status_transitions: { finalized_at: number | null; paid_at: number | null };
  lines: { object: 'list'; data: InvoiceLine[]; has_more: false; url: string };
  parent: {
    type: 'subscription_details';
    subscription_details: { subscription: string; metadata: Metadata };
  };
  metadata: Metadata;
  livemode: false;
}

export interface Event {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

/** Stripe's error object (`{ error: { type, code, decline_code, message, param } }`) with its status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: {
      type: 'card_error' | 'invalid_request_error' | 'idempotency_error' | 'api_error';
      message: string;
      code?: string;
      decline_code?: string;
      param?: string;
    },
  ) {
    super(error.message);
  }
}

/** What a charge of a test card does (Stripe's documented test numbers, by their last four digits). */
export type CardBehaviour =
  | { kind: 'succeeds' }
  /** Declined at attach already: Stripe's declining test cards cannot be attached to a customer. */
  | { kind: 'declines_at_attach'; code: string; declineCode: string; message: string }
  /** Attaches, then every charge is declined (pm_card_chargeCustomerFail). */
  | { kind: 'declines'; code: string; declineCode: string; message: string }
  /** Every payment needs 3-D Secure: on-session it asks for action, off-session it is declined. */
  | { kind: 'requires_authentication' };

interface TestCard {
  brand: string;
  last4: string;
  behaviour: CardBehaviour;
}

const declined = 'Your card was declined.';
const genericDecline: TestCard = {
  brand: 'visa',
  last4: '0002',
  behaviour: {
    kind: 'declines_at_attach',
    code: 'card_declined',
    declineCode: 'generic_decline',
    message: declined,
  },
};

/** Stripe's test PaymentMethod ids (docs.stripe.com/testing) that this stand-in knows. */
export const TEST_PAYMENT_METHODS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', behaviour: { kind: 'succeeds' } },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', behaviour: { kind: 'succeeds' } },
  pm_card_amex: { brand: 'amex', last4: '8431', behaviour: { kind: 'succeeds' } },
  pm_card_chargeDeclined: genericDecline,
  pm_card_visa_chargeDeclined: genericDecline,
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    behaviour: {
      kind: 'declines_at_attach',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    },
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    behaviour: {
      kind: 'declines_at_attach',
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
    },
  },
  pm_card_chargeCustomerFail: {
    brand: 'visa',
    last4: '0341',
    behaviour: { kind: 'declines', code: 'card_declined', declineCode: 'generic_decline', message: declined },
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    behaviour: { kind: 'requires_authentication' },
  },
};

export function behaviourOf(pm: PaymentMethod): CardBehaviour {
  return (
    Object.values(TEST_PAYMENT_METHODS).find((c) => c.last4 === pm.card.last4)?.behaviour ?? {
      kind: 'succeeds',
    }
  );
}

export function testCard(token: string): TestCard | undefined {
  return Object.hasOwn(TEST_PAYMENT_METHODS, token) ? TEST_PAYMENT_METHODS[token] : undefined;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id in Stripe's style: `<prefix>_` and 24 random characters. */
export function stripeId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}_${Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/** The end of one billing interval from `start` (Unix seconds), by calendar month or year (UTC). */
export function addInterval(start: number, interval: 'month' | 'year'): number {
  const d = new Date(start * 1000);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return Math.floor(d.getTime() / 1000);
}

export function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}
