import { serviceProject } from '../../../test/service-project.ts';
import { createFakeStripe } from './test/support/fake-stripe.ts';

// No network in tests: the Stripe SDK's requests (STRIPE_API_URL=http://stripe.test) reach a
// Stripe-compatible stand-in; nothing else is reachable.
const stripe = createFakeStripe();

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    STRIPE_WEBHOOK_SECRET: 'whsec_test_billing_webhook_secret',
    // Unused by the local provider; the tests of the Stripe provider set their own (support/service.ts).
    STRIPE_SECRET_KEY: '',
    DUNNING_RETRY_DAYS: '1,3,5,7',
    DUNNING_GRACE_DAYS: '3',
  },
  miniflare: {
    outboundService: (request: Request) => {
      if (new URL(request.url).hostname === 'stripe.test') return stripe.handle(request);
      return new Response('tests have no network', { status: 599 });
    },
  },
});
