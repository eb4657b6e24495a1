import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import {
  body,
  Entitlement,
  IdempotencyHeaders,
  Invoice,
  json,
  Paging,
  PaymentMethodUpdate,
  PaymentMethodUpdated,
  PlanChange,
  PlanChanged,
  problems,
  Subscription,
  SubscriptionCreate,
  SubscriptionCreated,
  SubscriptionIdParam,
  UserIdParam,
} from './schemas.ts';

const tags = ['Billing'];
const idempotencyConflict = { description: 'The Idempotency-Key was used for a different request.' };

export const createSubscription = defineRoute({
  id: 'billing.subscribe',
  service: 'billing',
  // The body names the user: the handler lets only that user (or an admin) subscribe them.
  policy: { access: 'user', rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: '/subscriptions',
    tags,
    summary: 'Subscribe a user to a plan, paying with a payment method id.',
    description:
      'The first invoice is paid at once (after the trial, for plans with one). A declined card answers ' +
      '402 with the decline code and leaves nothing active; a card that needs 3-D Secure answers 402 ' +
      'with `code: authentication_required`. A user has at most one active or trialing subscription.',
    request: { headers: IdempotencyHeaders, ...body(SubscriptionCreate) },
    responses: {
      201: json(SubscriptionCreated, 'Subscribed.'),
      402: { description: 'The payment was declined or needs the cardholder (3-D Secure).' },
      409: { description: 'The user already has a live subscription (or one is being created).' },
      422: idempotencyConflict,
      ...problems,
    },
  }),
});

export const getSubscription = defineRoute({
  id: 'billing.getSubscription',
  service: 'billing',
  policy: { access: { owner: 'userId' } },
  route: createRoute({
    method: 'get',
    path: '/subscriptions/{userId}',
    tags,
    summary: "A user's subscription: the live one, else the latest that ended (own or admin).",
    request: { params: UserIdParam },
    responses: { 200: json(Subscription, 'The subscription.'), ...problems },
  }),
});

export const cancelSubscription = defineRoute({
  id: 'billing.cancel',
  service: 'billing',
  policy: { access: 'user' },
  route: createRoute({
    method: 'post',
    path: '/subscriptions/{id}/cancel',
    tags,
    summary: 'Cancel at the end of the current period (own or admin); access continues until then.',
    request: { params: SubscriptionIdParam, headers: IdempotencyHeaders },
    responses: { 204: { description: 'Canceled at period end.' }, 422: idempotencyConflict, ...problems },
  }),
});

export const changePlan = defineRoute({
  id: 'billing.changePlan',
  service: 'billing',
  policy: { access: 'user', rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: '/subscriptions/{id}/change',
    tags,
    summary: 'Move to another plan now, prorated as Stripe computes it (own or admin).',
    description:
      'The difference for the rest of the period is invoiced and charged at once (a downgrade leaves a ' +
      'credit for the next invoice). A declined payment answers 402 and changes nothing.',
    request: { params: SubscriptionIdParam, headers: IdempotencyHeaders, ...body(PlanChange) },
    responses: {
      200: json(PlanChanged, 'The subscription on its new plan, with the proration invoice.'),
      402: { description: 'The prorated payment was declined; the plan is unchanged.' },
      409: { description: 'The subscription cannot change now (ended, or a payment is overdue).' },
      422: idempotencyConflict,
      ...problems,
    },
  }),
});

export const updatePaymentMethod = defineRoute({
  id: 'billing.updatePaymentMethod',
  service: 'billing',
  policy: { access: { owner: 'userId' }, rateLimit: 'strict' },
  route: createRoute({
    method: 'put',
    path: '/subscriptions/{userId}/payment-method',
    tags,
    summary: "Change the payment method the user's subscription is charged to (own or admin).",
    description:
      'Attaches the payment method to the customer and makes it the default of the live subscription. ' +
      'If a payment is overdue (`past_due` or `unpaid`), the open invoice is paid at once with it and ' +
      'the subscription is `active` again. A declined card answers 402 with the decline code (a card ' +
      'needing 3-D Secure with `code: authentication_required`) and changes nothing.',
    request: { params: UserIdParam, headers: IdempotencyHeaders, ...body(PaymentMethodUpdate) },
    responses: {
      200: json(PaymentMethodUpdated, 'The subscription charged to the new payment method.'),
      402: { description: 'The overdue payment was declined or needs the cardholder; nothing changed.' },
      404: { description: 'The user has no subscription.' },
      409: { description: 'The subscription has ended (or is still being created).' },
      422: idempotencyConflict,
      ...problems,
    },
  }),
});

export const listInvoices = defineRoute({
  id: 'billing.listInvoices',
  service: 'billing',
  policy: { access: { owner: 'userId' } },
  route: createRoute({
    method: 'get',
    path: '/subscriptions/{userId}/invoices',
    tags,
    summary: "A user's invoices, newest first (paged: X-Total-Count and Link headers; own or admin).",
    request: { params: UserIdParam, query: Paging },
    responses: { 200: json(z.array(Invoice), 'A page of invoices.'), ...problems },
  }),
});

export const getEntitlement = defineRoute({
  id: 'billing.entitlement',
  service: 'billing',
  policy: { access: { owner: 'userId' } },
  route: createRoute({
    method: 'get',
    path: '/subscriptions/{userId}/entitlement',
    tags,
    summary: 'What the user may stream now (own or admin): the answer playback gets over RPC.',
    request: { params: UserIdParam },
    responses: { 200: json(Entitlement, 'The entitlement.'), ...problems },
  }),
});

export const subscriptionRoutes = [
  createSubscription,
  getSubscription,
  cancelSubscription,
  changePlan,
  updatePaymentMethod,
  listInvoices,
  getEntitlement,
];
