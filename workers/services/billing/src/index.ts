/**
 * The billing service: plans, subscriptions, invoices, entitlements, payment webhooks in and
 * outbound webhooks out. The gateway calls `handle()` for public routes; playback asks
 * `getEntitlement()` over RPC; billing's own queue brings the payment webhooks it received to
 * `queue()`; cron runs the billing clock (renewals and dunning with the local provider,
 * reconciliation with either), housekeeping, and the hand-over of missed events to webhooks.
 */
import { defineService, UPKEEP_CRON } from '../../../lib/service.ts';
import { BILLING_CLOCK_CRON, HOUSEKEEPING_CRON, housekeeping, runBillingClock } from './clock.ts';
import type { Env } from './config.ts';
import { contract } from './contract.ts';
import { type Entitlement, entitlements } from './entitlements.ts';
import { processProviderEvent } from './provider-events/process.ts';
import { cancelHandler } from './routes/cancel.ts';
import { changePlanHandler } from './routes/change-plan.ts';
import { entitlementHandler } from './routes/entitlement.ts';
import { getSubscriptionHandler } from './routes/get-subscription.ts';
import { listInvoicesHandler } from './routes/list-invoices.ts';
import { updatePaymentMethodHandler } from './routes/payment-method.ts';
import { paymentWebhookHandler } from './routes/payment-webhook.ts';
import { createPlanHandler, listPlansHandler, updatePlanHandler } from './routes/plans.ts';
import { subscribeHandler } from './routes/subscribe.ts';
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
export type { Entitlement } from './entitlements.ts';
export { LocalStripe } from './providers/local/durable-object.ts';

export default class BillingService extends defineService<Env>()({
  contract,
  handlers: {
    'billing.listPlans': listPlansHandler,
    'billing.createPlan': createPlanHandler,
    'billing.updatePlan': updatePlanHandler,
    'billing.subscribe': subscribeHandler,
    'billing.getSubscription': getSubscriptionHandler,
    'billing.cancel': cancelHandler,
    'billing.changePlan': changePlanHandler,
    'billing.updatePaymentMethod': updatePaymentMethodHandler,
    'billing.listInvoices': listInvoicesHandler,
    'billing.entitlement': entitlementHandler,
    'billing.stripeWebhook': paymentWebhookHandler,
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
  events: {
    BillingWebhookReceived: (event, env, ctx) => processProviderEvent(env, ctx, event),
  },
  crons: {
    // Billing events whose webhook hand-over (notifyEndpoints) was missed.
    [UPKEEP_CRON]: (env) => sweepWebhookFanOut(env),
    [BILLING_CLOCK_CRON]: (env, ctx, controller) => runBillingClock(env, ctx, controller.scheduledTime),
    [HOUSEKEEPING_CRON]: (env, _ctx, controller) => housekeeping(env, controller.scheduledTime),
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM plans LIMIT 1').first(),
  }),
}) {
  /**
   * What the user may stream now, from this isolate's cache (see entitlements.ts): `until` says
   * when the answer must be asked again at the latest.
   */
  async getEntitlement(userId: string): Promise<Entitlement> {
    return entitlements.get(this.env, userId);
  }
}
