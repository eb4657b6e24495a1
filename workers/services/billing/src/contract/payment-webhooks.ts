import { createRoute } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { json, problems, WebhookReceived } from './schemas.ts';

export const paymentWebhook = defineRoute({
  id: 'billing.stripeWebhook',
  service: 'billing',
  // Stripe signs the exact bytes it sends: the gateway hands them over unparsed, with the signature.
  // Stripe retries in bursts from few addresses, so no per-IP limit applies; the signature guards it.
  policy: {
    access: 'public',
    rateLimit: 'none',
    rawBody: true,
    forwardHeaders: ['stripe-signature'],
    bodyLimit: 512 * 1024,
  },
  route: createRoute({
    method: 'post',
    path: '/billing/webhooks/stripe',
    tags: ['Billing'],
    summary: "Stripe's webhook endpoint (signed with Stripe-Signature).",
    description:
      'Checks the signature and its age (5 minutes), records the event once by its id and queues its ' +
      'processing, answering at once. Configure it in Stripe for `invoice.paid`, ' +
      '`invoice.payment_failed`, `customer.subscription.updated`, `customer.subscription.deleted` and ' +
      '`customer.subscription.trial_will_end`.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            // A plain schema, not zod: the gateway documents it but does not parse it (rawBody).
            schema: { type: 'object', description: 'A Stripe Event object.' },
          },
        },
      },
    },
    responses: {
      200: json(WebhookReceived, 'Received (also when it was a duplicate).'),
      400: { description: 'A missing, wrong or stale signature: nothing was recorded.' },
      ...problems,
    },
  }),
});
