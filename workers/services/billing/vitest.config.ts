import { serviceProject } from '../../../test/service-project.ts';
import { fakeReceiver } from './test/support/webhook-receiver.ts';

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    // Short enough for a test to see a hanging receiver time out.
    WEBHOOK_TIMEOUT_MS: '1000',
  },
  miniflare: {
    // No network in tests: outbound webhooks reach fake receivers, anything else is refused.
    outboundService: async (request: Request) =>
      (await fakeReceiver(request)) ??
      new Response(`tests have no network (${new URL(request.url).host})`, { status: 599 }),
  },
});
