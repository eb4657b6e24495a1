/**
 * The public routes of the billing service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';
import { paymentWebhook } from './contract/payment-webhooks.ts';
import { planRoutes } from './contract/plans.ts';
import { subscriptionRoutes } from './contract/subscriptions.ts';
import { webhookRoutes } from './contract/webhooks.ts';

export const contract = defineContract('billing', [
  ...planRoutes,
  ...subscriptionRoutes,
  paymentWebhook,
  ...webhookRoutes,
]);
