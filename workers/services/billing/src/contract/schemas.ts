/** Request and response schemas of the billing API: one source for validation, types and /openapi.json. */
import { z } from '@hono/zod-openapi';
import { idempotencyHeaders } from '../../../../lib/idempotency-header.ts';
import { jsonBody } from '../../../../lib/openapi.ts';
import { PLAN_INTERVALS, SUBSCRIPTION_STATUSES } from '../states.ts';

export { jsonResponse as json, Paging, problemResponses as problems } from '../../../../lib/openapi.ts';

export const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });

const iso = z.string().openapi({ format: 'date-time', example: '2026-02-28T12:00:00.000Z' });

export const PlanIdParam = z.object({
  planId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'planId', in: 'path' }, example: 'standard' }),
});

export const UserIdParam = z.object({
  userId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'userId', in: 'path' }, example: 'usr_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
});

export const SubscriptionIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'sub_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
});

/** Every write takes an Idempotency-Key: a retry with the same key answers the first answer again. */
export const IdempotencyHeaders = idempotencyHeaders('changes or charges nothing again');

export const Plan = z
  .object({
    planId: z.string().openapi({ example: 'standard' }),
    name: z.string().openapi({ example: 'Standard' }),
    price: z.number().int().openapi({ description: 'Per interval, in minor units (cents).', example: 1399 }),
    currency: z.string().openapi({ example: 'usd' }),
    interval: z.enum(PLAN_INTERVALS),
    maxResolution: z
      .number()
      .int()
      .openapi({ description: 'The tallest rendition the plan streams (height).', example: 1080 }),
    maxStreams: z.number().int().openapi({ description: 'Concurrent streams.', example: 2 }),
    trialDays: z.number().int().openapi({ example: 7 }),
    active: z.boolean().openapi({ description: 'Offered to new subscribers.' }),
  })
  .openapi('Plan');

const planId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (at most 40)')
  .openapi({ example: 'family' });
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code')
  .transform((c) => c.toLowerCase())
  .openapi({ example: 'usd' });

export const PlanCreate = z
  .object({
    planId: planId.optional().openapi({ description: 'Chosen by the admin; generated when omitted.' }),
    name: z.string().trim().min(1).max(100).openapi({ example: 'Family' }),
    price: z.number().int().min(0).max(10_000_000).openapi({ example: 2499 }),
    currency: currency.default('usd'),
    interval: z.enum(PLAN_INTERVALS).default('month'),
    maxResolution: z.number().int().min(144).max(4320).openapi({ example: 2160 }),
    maxStreams: z.number().int().min(1).max(20).openapi({ example: 6 }),
    trialDays: z.number().int().min(0).max(365).default(0),
    active: z.boolean().default(true),
  })
  .openapi('PlanCreate');

export const PlanUpdate = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    price: z.number().int().min(0).max(10_000_000).optional(),
    currency: currency.optional(),
    interval: z.enum(PLAN_INTERVALS).optional(),
    maxResolution: z.number().int().min(144).max(4320).optional(),
    maxStreams: z.number().int().min(1).max(20).optional(),
    trialDays: z.number().int().min(0).max(365).optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Name at least one field to change.',
  })
  .openapi('PlanUpdate', {
    description:
      'Omitted fields stay. A new price, currency or interval applies to new subscriptions and plan ' +
      'changes; existing subscribers keep the price they signed up at.',
  });

/** A payment method id from the provider's client SDK: card data never reaches this API. */
const PaymentMethodId = z
  .string()
  .regex(/^pm_[A-Za-z0-9_]{1,250}$/, 'a payment method id (pm_…), never card details')
  .openapi({
    description:
      "A PaymentMethod id created with Stripe's client SDK (card data goes to Stripe only), or one " +
      "of Stripe's test ids: `pm_card_visa`, `pm_card_chargeDeclined`, `pm_card_authenticationRequired`, " +
      '`pm_card_chargeCustomerFail`, …',
    example: 'pm_card_visa',
  });

export const SubscriptionCreate = z
  .object({
    userId: z.string().min(1).max(64).openapi({ example: 'usr_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    planId: z.string().min(1).max(64).openapi({ example: 'standard' }),
    paymentMethod: PaymentMethodId,
  })
  // Nothing else is accepted: card details sent by mistake are refused, never passed on or kept.
  .strict()
  .openapi('SubscriptionCreate');

const Status = z.enum(SUBSCRIPTION_STATUSES).openapi({
  description:
    "Stripe's statuses: `trialing` and `active` stream; `past_due` streams during the grace period " +
    'while payment is retried; `canceled` has ended.',
});

export const SubscriptionCreated = z
  .object({
    subscriptionId: z.string().openapi({ example: 'sub_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    status: Status,
    planId: z.string(),
    currentPeriodEnd: iso.nullable(),
    trialEnd: iso.nullable(),
  })
  .openapi('SubscriptionCreated');

export const Subscription = z
  .object({
    subscriptionId: z.string().openapi({ example: 'sub_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
    userId: z.string(),
    plan: Plan,
    status: Status,
    currentPeriodStart: iso.nullable(),
    currentPeriodEnd: iso.nullable(),
    trialEnd: iso.nullable(),
    cancelAtPeriodEnd: z
      .boolean()
      .openapi({ description: 'Canceled by request: access continues until `currentPeriodEnd`.' }),
    canceledAt: iso.nullable(),
    endedAt: iso.nullable(),
    graceUntil: iso.nullable().openapi({ description: 'While `past_due`: access ends then unless paid.' }),
    createdAt: iso,
  })
  .openapi('Subscription');

export const InvoiceLine = z.object({
  description: z.string().openapi({ example: 'Remaining time on Premium after 2026-02-14' }),
  amount: z.number().int().openapi({ description: 'Minor units; negative for a credit.', example: 300 }),
  proration: z.boolean(),
});

export const Invoice = z
  .object({
    invoiceId: z.string().openapi({ example: 'in_1QhZ2yLkdIwHu7ix' }),
    subscriptionId: z.string(),
    status: z.string().openapi({ example: 'paid', description: '`paid`, `open` (being retried), `void`, …' }),
    amountDue: z.number().int(),
    amountPaid: z.number().int(),
    currency: z.string(),
    billingReason: z.string().nullable().openapi({ example: 'subscription_cycle' }),
    attemptCount: z.number().int(),
    nextPaymentAttempt: iso.nullable(),
    periodStart: iso.nullable(),
    periodEnd: iso.nullable(),
    createdAt: iso,
    lines: z.array(InvoiceLine),
  })
  .openapi('Invoice');

export const PlanChange = z
  .object({ planId: z.string().min(1).max(64).openapi({ example: 'premium' }) })
  .openapi('PlanChange');

export const PlanChanged = Subscription.extend({
  proration: Invoice.nullable().openapi({
    description:
      'The invoice for the change, prorated by Stripe to the second: a credit for the unused time ' +
      'on the old plan and a charge for the rest of the period on the new one. Null in a trial.',
  }),
}).openapi('PlanChanged');

export const PaymentMethodUpdate = z
  .object({ paymentMethod: PaymentMethodId })
  // As for a create: card details sent by mistake are refused, never passed on or kept.
  .strict()
  .openapi('PaymentMethodUpdate');

export const PaymentMethodUpdated = Subscription.extend({
  paidInvoice: Invoice.nullable().openapi({
    description:
      'The overdue invoice the new payment method paid at once (a `past_due` or `unpaid` ' +
      'subscription is `active` again); null when nothing was overdue.',
  }),
}).openapi('PaymentMethodUpdated');

export const ENTITLEMENT_REASONS = [
  'active',
  'trialing',
  'canceling',
  'grace_period',
  'payment_failed',
  'expired',
  'canceled',
  'incomplete',
  'no_subscription',
] as const;

export const Entitlement = z
  .object({
    active: z.boolean(),
    planId: z.string().nullable(),
    maxResolution: z.number().int().openapi({ description: '0 when not entitled.', example: 1080 }),
    maxStreams: z.number().int().openapi({ example: 2 }),
    until: iso.nullable().openapi({ description: 'When this answer must be asked again at the latest.' }),
    reason: z.enum(ENTITLEMENT_REASONS),
  })
  .openapi('Entitlement');

export const WebhookReceived = z
  .object({
    received: z.literal(true),
    duplicate: z.boolean().openapi({ description: 'This event id had been received before.' }),
  })
  .openapi('WebhookReceived');
