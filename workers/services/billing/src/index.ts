/** The billing service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService, UPKEEP_CRON } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { contract } from './contract.ts';
import {
  listWebhookDeliveriesHandler,
  redeliverWebhookHandler,
  testWebhookEndpointHandler,
} from './routes/webhook-deliveries.ts';
import {
  createWebhookEndpointHandler,
  deleteWebhookEndpointHandler,
  getWebhookEndpointHandler,
  listWebhookEndpointsHandler,
  replaceWebhookEndpointHandler,
  updateWebhookEndpointHandler,
} from './routes/webhook-endpoints.ts';
import { rotateWebhookSecretHandler } from './routes/webhook-secret.ts';
import { sweepWebhookFanOut } from './webhooks/fanout.ts';

export { WebhookEndpoint } from '../../../../durable-objects/webhook-endpoint.ts';
export type { Env } from './config.ts';

export default class BillingService extends defineService<Env>()({
  contract,
  handlers: {
    'billing.webhookEndpointCreate': createWebhookEndpointHandler,
    'billing.webhookEndpointList': listWebhookEndpointsHandler,
    'billing.webhookEndpointGet': getWebhookEndpointHandler,
    'billing.webhookEndpointUpdate': updateWebhookEndpointHandler,
    'billing.webhookEndpointReplace': replaceWebhookEndpointHandler,
    'billing.webhookEndpointDelete': deleteWebhookEndpointHandler,
    'billing.webhookEndpointRotateSecret': rotateWebhookSecretHandler,
    'billing.webhookDeliveryList': listWebhookDeliveriesHandler,
    'billing.webhookRedeliver': redeliverWebhookHandler,
    'billing.webhookEndpointTest': testWebhookEndpointHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  crons: {
    // Billing events whose webhook hand-over (notifyEndpoints) was missed.
    [UPKEEP_CRON]: (env) => sweepWebhookFanOut(env),
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM outbox LIMIT 1').first(),
  }),
}) {}
