/**
 * The billing webhook path on its own, for bench/billing-webhooks.ts: the real WebhookEndpoint
 * Durable Object and fan-out, with two bench routes: `POST /endpoints` registers receivers (and
 * disables those of the previous scenario), `POST /notify` hands over billing events as
 * notifyEndpoints does.
 */

import { envelope } from '../../queues/publish.ts';
import type { Caller } from '../../workers/lib/api.ts';
import { WEBHOOK_EVENT_TYPES } from '../../workers/services/billing/src/contract/webhooks.ts';
import { database } from '../../workers/services/billing/src/db/client.ts';
import { createEndpoint } from '../../workers/services/billing/src/webhooks/endpoints.ts';
import { type FanOutEnv, fanOut } from '../../workers/services/billing/src/webhooks/fanout.ts';

export { WebhookEndpoint } from '../../durable-objects/webhook-endpoint.ts';

const caller: Caller = {
  requestId: 'bench',
  traceparent: '',
  ip: '127.0.0.1',
  roles: ['admin'],
  origin: '',
  userId: 'usr_bench',
};

export default {
  async fetch(request: Request, env: FanOutEnv): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'POST' && url.pathname === '/endpoints') {
      const { receiver, count } = (await request.json()) as { receiver: string; count: number };
      // Each scenario measures its own endpoints only.
      await env.DB.prepare('UPDATE webhook_endpoints SET enabled = 0').run();
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const { row, secret } = await createEndpoint(
          database(env.DB),
          { url: `${receiver}/${i}`, eventTypes: [...WEBHOOK_EVENT_TYPES], description: 'bench' },
          caller,
        );
        ids.push(`${row.id} ${secret}`);
      }
      return Response.json(ids);
    }
    if (request.method === 'POST' && url.pathname === '/notify') {
      const { count } = (await request.json()) as { count: number };
      const events = Array.from({ length: count }, (_, i) =>
        envelope(
          'PaymentSucceeded',
          `sub_bench_${i}`,
          {
            userId: 'usr_bench',
            subscriptionId: `sub_bench_${i}`,
            invoiceId: `in_bench_${i}`,
            amount: 999,
            currency: 'usd',
          },
          { source: 'billing' },
        ),
      );
      const complete = await fanOut(env, events);
      return Response.json({ ids: events.map((e) => e.id), complete });
    }
    return new Response('not found', { status: 404 });
  },
};
