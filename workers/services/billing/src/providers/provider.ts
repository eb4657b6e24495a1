/**
 * The payment provider as the billing service sees it. Two implementations: `stripe.ts` (Stripe
 * through its SDK) and `local/provider.ts` (an offline Stripe stand-in for `npm start` and tests).
 * Both speak Stripe's objects underneath, so one mapping (stripe-objects.ts) turns them into these.
 * Times are epoch milliseconds; amounts are minor units.
 */
import type { InvoiceLine } from '../db/schema.ts';
import type { SubscriptionStatus } from '../states.ts';

export type ProviderName = 'stripe' | 'local';

export interface ProviderSubscription {
  id: string;
  customerId: string;
  status: SubscriptionStatus;
  priceId: string;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  /** Ours: `subscriptionId`, `userId`, `planId` as they were at creation. */
  metadata: Record<string, string>;
  /** Present when the provider answered it expanded (creates and changes). */
  latestInvoice: ProviderInvoice | null;
}

export interface ProviderInvoice {
  id: string;
  /** The provider's subscription id, and ours from the subscription's metadata. */
  providerSubscriptionId: string | null;
  subscriptionId: string | null;
  status: string;
  amountDue: number;
  amountPaid: number;
  currency: string;
  billingReason: string | null;
  attemptCount: number;
  nextPaymentAttempt: number | null;
  periodStart: number | null;
  periodEnd: number | null;
  created: number;
  lines: InvoiceLine[];
}

/** A verified webhook event: what happened, to which object, and the object as it was then. */
export interface ProviderEvent {
  id: string;
  type: string;
  created: number;
  objectType: string;
  objectId: string;
  /** The event's snapshot of an invoice, for the facts it reports (amount, attempt). */
  invoice: ProviderInvoice | null;
}

export interface PlanTerms {
  planId: string;
  name: string;
  amount: number;
  currency: string;
  interval: 'month' | 'year';
}

/** The card was declined: nothing was charged and nothing started. */
export class PaymentDeclined extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly declineCode: string | undefined,
  ) {
    super(message);
    this.name = 'PaymentDeclined';
  }
}

/** The payment needs the cardholder (3-D Secure); nothing was charged and nothing started. */
export class PaymentActionRequired extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PaymentActionRequired';
  }
}

/** The payment method id is unknown to the provider (or not a payment method id at all). */
export class UnknownPaymentMethod extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownPaymentMethod';
  }
}

export interface CreateSubscription {
  customerId: string;
  priceId: string;
  paymentMethodId: string;
  trialDays: number;
  metadata: Record<string, string>;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  createCustomer(userId: string, idempotencyKey: string): Promise<string>;
  /** Attaches a payment method (an id such as `pm_card_visa`) to the customer; answers its id there. */
  attachPaymentMethod(paymentMethod: string, customerId: string): Promise<string>;
  createPrice(plan: PlanTerms, idempotencyKey: string): Promise<string>;
  /** Charges the first invoice at once unless there is a trial; a failed payment throws, leaving nothing. */
  createSubscription(p: CreateSubscription, idempotencyKey: string): Promise<ProviderSubscription>;
  getSubscription(id: string): Promise<ProviderSubscription>;
  /** The customer's subscription created for our subscription id, if the provider has one. */
  findSubscription(customerId: string, subscriptionId: string): Promise<ProviderSubscription | undefined>;
  setCancelAtPeriodEnd(id: string, cancel: boolean, idempotencyKey: string): Promise<ProviderSubscription>;
  /** Moves to another price, prorated and invoiced at once; a failed payment throws and changes nothing. */
  changePrice(id: string, priceId: string, idempotencyKey: string): Promise<ProviderSubscription>;
  /** Makes a payment method attached to the customer the one the subscription's invoices are charged to. */
  setDefaultPaymentMethod(
    id: string,
    paymentMethodId: string,
    idempotencyKey: string,
  ): Promise<ProviderSubscription>;
  /** Pays an open invoice now with the payment method; a refused payment throws and changes nothing. */
  payInvoice(invoiceId: string, paymentMethodId: string, idempotencyKey: string): Promise<ProviderInvoice>;
  getInvoice(id: string): Promise<ProviderInvoice>;
  listInvoices(subscriptionId: string): Promise<ProviderInvoice[]>;
  /**
   * Lets time pass up to `now`: renewals, payment retries, trial ends and period-end cancellations
   * (local only: Stripe runs its own clock). `userId` limits it to one user's subscriptions.
   */
  advanceClock(now: number, userId?: string): Promise<void>;
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}
