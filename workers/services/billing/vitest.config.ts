import { serviceProject } from '../../../test/service-project.ts';
import { createFakeStripe } from './test/support/fake-stripe.ts';
import { fakeReceiver } from './test/support/webhook-receiver.ts';

// No network in tests: the Stripe SDK's requests (STRIPE_API_URL=http://stripe.test) reach a
// Stripe-compatible stand-in, outbound webhooks reach fake receivers; nothing else is reachable.
const stripe = createFakeStripe();

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    STRIPE_WEBHOOK_SECRET: 'whsec_test_billing_webhook_secret',
    // Unused by the local provider; the tests of the Stripe provider set their own (support/service.ts).
    STRIPE_SECRET_KEY: '',
    DUNNING_RETRY_DAYS: '1,3,5,7',
    DUNNING_GRACE_DAYS: '3',
    // Short enough for a test to see a hanging receiver time out.
    WEBHOOK_TIMEOUT_MS: '1000',
  },
  miniflare: {
    outboundService: async (request: Request) => {
      if (new URL(request.url).hostname === 'stripe.test') return stripe.handle(request);
      return (
        (await fakeReceiver(request)) ??
        new Response(`tests have no network (${new URL(request.url).host})`, { status: 599 })
      );
    },
  },
});
