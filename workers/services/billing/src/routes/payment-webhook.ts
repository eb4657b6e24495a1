import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { paymentWebhook } from '../contract/payment-webhooks.ts';
import { receiveProviderEvent } from '../provider-events/receive.ts';

export const paymentWebhookHandler = implement(paymentWebhook, async (input, caller, env: Env, ctx) => {
  // rawBody: the gateway hands over the exact text Stripe signed.
  if (typeof input.body !== 'string') throw Problem.badRequest('The webhook body must arrive as sent.');
  const { duplicate } = await receiveProviderEvent(
    env,
    ctx,
    input.body,
    input.headers['stripe-signature'],
    caller.traceparent,
  );
  return json(200, { received: true as const, duplicate });
});
