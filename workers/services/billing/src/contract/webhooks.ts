/**
 * Outbound webhooks: admins register endpoints that receive billing events, signed per the
 * Standard Webhooks spec, in order, retried for three days. Schemas only (the gateway bundles this).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import { jsonBody, jsonResponse, Paging, problemResponses } from '../../../../lib/openapi.ts';
import { plainText } from '../../../../lib/text.ts';

/** The billing events an endpoint may subscribe to (queues/events.ts names them). */
export const WEBHOOK_EVENT_TYPES = [
  'SubscriptionCreated',
  'SubscriptionUpdated',
  'SubscriptionCanceled',
  'PaymentSucceeded',
  'PaymentFailed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const DELIVERY_TRIGGERS = ['event', 'manual', 'test'] as const;
export const MESSAGE_STATES = ['pending', 'delivered', 'failed'] as const;

const tags = ['Billing webhooks'];
const policy: RoutePolicy = { access: 'admin', scopes: ['billing:admin'] };

const EndpointUrl = z
  .url()
  .max(2048)
  .openapi({
    description:
      'Where events are POSTed. `https` outside development; hosts that are loopback, private, ' +
      'link-local or metadata addresses are refused.',
    example: 'https://hooks.example.com/billing',
  });
const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .transform((xs) => [...new Set(xs)])
  .openapi({ example: ['SubscriptionCreated', 'PaymentFailed'] });
const Description = plainText({ max: 500 });

const EndpointParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'whe_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
});
const DeliveryParams = EndpointParam.extend({
  deliveryId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'deliveryId', in: 'path' }, example: 'wha_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
});

export const WebhookEndpointCreate = z
  .object({ url: EndpointUrl, eventTypes: EventTypes, description: Description.default('') })
  .openapi('WebhookEndpointCreate');

export const WebhookEndpointUpdate = z
  .object({
    url: EndpointUrl.optional(),
    eventTypes: EventTypes.optional(),
    description: Description.optional(),
    enabled: z
      .boolean()
      .optional()
      .openapi({ description: 'Enabling a disabled endpoint resumes its queue.' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Name at least one field to change.',
  })
  .openapi('WebhookEndpointUpdate');

export const WebhookEndpointReplace = z
  .object({
    url: EndpointUrl,
    eventTypes: EventTypes,
    description: Description.default(''),
    enabled: z.boolean().default(true),
  })
  .openapi('WebhookEndpointReplace');

export const WebhookEndpoint = z
  .object({
    endpointId: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .openapi({ description: 'Why the endpoint was disabled (by an admin or after failing for days).' }),
    disabledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    secretRotatedAt: z.string().nullable(),
  })
  .openapi('WebhookEndpoint');

const QueueState = z
  .object({
    pending: z.number().int().openapi({ description: 'Messages waiting, the head first.' }),
    nextAttemptAt: z.string().nullable(),
    failingSince: z
      .string()
      .nullable()
      .openapi({ description: 'Every attempt since then failed; the endpoint is disabled past a limit.' }),
    lastSuccessAt: z.string().nullable(),
  })
  .openapi('WebhookQueueState');

export const WebhookEndpointDetail = WebhookEndpoint.extend({ queue: QueueState }).openapi(
  'WebhookEndpointDetail',
);

const SigningSecret = z.string().openapi({
  description: 'The signing secret (Standard Webhooks `whsec_…`). Shown once: store it now.',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

export const WebhookEndpointCreated = WebhookEndpoint.extend({ secret: SigningSecret }).openapi(
  'WebhookEndpointCreated',
);

export const RotatedSecret = z
  .object({
    secret: SigningSecret,
    previousSecretExpiresAt: z
      .string()
      .openapi({ description: 'Until then every message is signed with both secrets.' }),
  })
  .openapi('WebhookRotatedSecret');

export const WebhookDelivery = z
  .object({
    deliveryId: z.string().openapi({ description: 'This attempt.' }),
    eventId: z.string().openapi({ description: 'The `webhook-id` sent; redeliveries reuse it.' }),
    eventType: z.string(),
    attempt: z.number().int().openapi({ description: 'The attempt number of this message, from 1.' }),
    trigger: z.enum(DELIVERY_TRIGGERS),
    attemptedAt: z.string(),
    succeeded: z.boolean(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    responseBody: z.string().nullable().openapi({ description: 'The first KiB of the answer.' }),
    nextRetryAt: z.string().nullable().openapi({ description: 'When this message is tried again.' }),
    messageState: z.enum(MESSAGE_STATES),
  })
  .openapi('WebhookDelivery');

export const MessageQueued = z
  .object({
    eventId: z.string(),
    state: z.literal('pending'),
    pendingAhead: z.number().int().openapi({ description: 'Messages delivered before this one.' }),
  })
  .openapi('WebhookMessageQueued');

const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });

export const createWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointCreate',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'post',
    path: '/billing/webhook-endpoints',
    tags,
    summary: 'Register an endpoint for billing events (admin); its signing secret is shown once.',
    description:
      'Each subscribed event is POSTed as `{ type, timestamp, data }`, signed per Standard Webhooks: ' +
      '`webhook-id` (the event id, the same on every retry and redelivery), `webhook-timestamp` and ' +
      '`webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`). Events reach an endpoint ' +
      'one at a time, in order; any answer but 2xx within 10 s (redirects are not followed) is retried ' +
      'after 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h (±10 %) for up to 3 days, while later ' +
      'events wait. An endpoint whose every attempt failed for 5 days is disabled, with the reason in ' +
      '`disabledReason`; enabling it again resumes its queue.',
    request: body(WebhookEndpointCreate),
    responses: { 201: jsonResponse(WebhookEndpointCreated, 'Registered.'), ...problemResponses },
  }),
});

export const listWebhookEndpoints = defineRoute({
  id: 'billing.webhookEndpointList',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'get',
    path: '/billing/webhook-endpoints',
    tags,
    summary: 'Webhook endpoints, newest first (admin; paged).',
    request: { query: Paging },
    responses: { 200: jsonResponse(z.array(WebhookEndpoint), 'Endpoints.'), ...problemResponses },
  }),
});

export const getWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointGet',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'get',
    path: '/billing/webhook-endpoints/{id}',
    tags,
    summary: 'One endpoint and the state of its delivery queue (admin).',
    request: { params: EndpointParam },
    responses: { 200: jsonResponse(WebhookEndpointDetail, 'The endpoint.'), ...problemResponses },
  }),
});

export const updateWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointUpdate',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'patch',
    path: '/billing/webhook-endpoints/{id}',
    tags,
    summary: 'Change the URL, event types, description or enabled flag of an endpoint (admin).',
    request: { params: EndpointParam, ...body(WebhookEndpointUpdate) },
    responses: { 200: jsonResponse(WebhookEndpoint, 'The endpoint.'), ...problemResponses },
  }),
});

export const replaceWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointReplace',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'put',
    path: '/billing/webhook-endpoints/{id}',
    tags,
    summary: 'Replace the settings of an endpoint (admin); its secret and queue are kept.',
    request: { params: EndpointParam, ...body(WebhookEndpointReplace) },
    responses: { 200: jsonResponse(WebhookEndpoint, 'The endpoint.'), ...problemResponses },
  }),
});

export const deleteWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointDelete',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'delete',
    path: '/billing/webhook-endpoints/{id}',
    tags,
    summary: 'Delete an endpoint with its pending messages and delivery log (admin).',
    request: { params: EndpointParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses },
  }),
});

export const rotateWebhookSecret = defineRoute({
  id: 'billing.webhookEndpointRotateSecret',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'post',
    path: '/billing/webhook-endpoints/{id}/rotate-secret',
    tags,
    summary: 'Issue a new signing secret (admin); the old one keeps signing for 24 hours.',
    request: { params: EndpointParam },
    responses: { 200: jsonResponse(RotatedSecret, 'The new secret, shown once.'), ...problemResponses },
  }),
});

export const listWebhookDeliveries = defineRoute({
  id: 'billing.webhookDeliveryList',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'get',
    path: '/billing/webhook-endpoints/{id}/deliveries',
    tags,
    summary: 'Every delivery attempt to an endpoint, newest first (admin; paged).',
    request: {
      params: EndpointParam,
      query: Paging.extend({
        eventId: z.string().max(64).optional().openapi({ description: 'Only the attempts of this event.' }),
      }),
    },
    responses: { 200: jsonResponse(z.array(WebhookDelivery), 'Attempts.'), ...problemResponses },
  }),
});

export const redeliverWebhook = defineRoute({
  id: 'billing.webhookRedeliver',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'post',
    path: '/billing/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
    tags,
    summary: 'Send the message of a delivery again, with the same webhook-id and body (admin).',
    description:
      'A message still waiting for a retry is tried now; a delivered or failed one is queued again ' +
      'behind the pending ones. Receivers that deduplicate by `webhook-id` see it once.',
    request: { params: DeliveryParams },
    responses: { 202: jsonResponse(MessageQueued, 'Queued.'), ...problemResponses },
  }),
});

export const testWebhookEndpoint = defineRoute({
  id: 'billing.webhookEndpointTest',
  service: 'billing',
  policy,
  route: createRoute({
    method: 'post',
    path: '/billing/webhook-endpoints/{id}/test',
    tags,
    summary: 'Queue a `WebhookTest` message to the endpoint (admin).',
    request: { params: EndpointParam },
    responses: { 202: jsonResponse(MessageQueued, 'Queued.'), ...problemResponses },
  }),
});

export const webhookRoutes = [
  createWebhookEndpoint,
  listWebhookEndpoints,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  replaceWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  listWebhookDeliveries,
  redeliverWebhook,
  testWebhookEndpoint,
] as const;
