/** The payment provider this deployment uses (`BILLING_PROVIDER`), built per request. */
import type { Caller, WorkContext } from '../../../../lib/api.ts';
import { continueTrace } from '../../../../lib/trace.ts';
import { type Env, settings } from '../config.ts';
import { paymentWebhookHandler } from '../routes/payment-webhook.ts';
import { LocalProvider } from './local/provider.ts';
import type { PaymentProvider } from './provider.ts';
import { StripeProvider } from './stripe.ts';

export function providerFor(env: Env, ctx: WorkContext): PaymentProvider {
  const s = settings(env);
  if (s.BILLING_PROVIDER === 'stripe') return new StripeProvider(s);
  // The local provider's webhooks go through the webhook route's own handler, signature check and all.
  return new LocalProvider(env, async (payload, signature) => {
    const caller: Caller = {
      requestId: `local-stripe-${crypto.randomUUID()}`,
      traceparent: continueTrace(null).traceparent,
      ip: '127.0.0.1',
      roles: [],
      origin: '',
    };
    const input = { params: {}, query: {}, body: payload, headers: { 'stripe-signature': signature } };
    const reply = await paymentWebhookHandler.run(input, caller, env, ctx);
    return reply.status < 300;
  });
}
