/**
 * The billing benchmark's client, inside workerd: it calls the billing Worker over a service binding
 * (RPC), as playback will. workerd's clock ticks in whole milliseconds (a Spectre mitigation), so
 * in here only long runs are timed (means per call); per-call percentiles are taken from Node, one
 * call per HTTP request (`/one/…`), against a request that makes no call (`/one/none`).
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { stripeSignature } from '../../workers/services/billing/src/providers/signature.ts';

interface Billing {
  getEntitlement(userId: string): Promise<{ active: boolean }>;
  handle(routeId: string, input: unknown, caller: unknown): Promise<{ status: number }>;
  migrate(text: string): Promise<void>;
  seed(prefix: string, count: number, planId: string): Promise<void>;
}

interface Env {
  BILLING: Billing;
  WEBHOOK_SECRET: string;
  MIGRATIONS: string;
}

/** Times a run of calls; the mean per call is exact to about 1 ms / n. */
async function timed(n: number, call: (i: number) => Promise<unknown>) {
  const started = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  return { calls: n, meanMs: (performance.now() - started) / n };
}

const caller = {
  requestId: 'bench',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  ip: '127.0.0.1',
  roles: [],
  origin: 'http://bench.test',
};

export default class BillingDriver extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 1000);
    const billing = this.env.BILLING;
    switch (url.pathname) {
      case '/healthz':
        return new Response('ok');
      case '/setup': {
        for (const text of JSON.parse(this.env.MIGRATIONS) as string[]) await billing.migrate(text);
        await billing.seed('miss', Number(url.searchParams.get('miss') ?? 20000), 'standard');
        await billing.seed('hit', 100, 'premium');
        return Response.json({ ok: true });
      }
      case '/entitlement/miss': {
        // Every call asks for a user this isolate has not cached yet.
        const offset = Number(url.searchParams.get('offset') ?? 0);
        return Response.json(await timed(n, (i) => billing.getEntitlement(`usr_miss_${offset + i}`)));
      }
      case '/entitlement/hit': {
        for (let i = 0; i < 100; i++) await billing.getEntitlement(`usr_hit_${i}`);
        return Response.json(await timed(n, (i) => billing.getEntitlement(`usr_hit_${i % 100}`)));
      }
      case '/one/hit': {
        const e = await billing.getEntitlement(`usr_hit_${url.searchParams.get('i') ?? 0}`);
        return new Response(e.active ? 'active' : 'inactive');
      }
      case '/one/miss': {
        const e = await billing.getEntitlement(`usr_miss_${url.searchParams.get('i') ?? 0}`);
        return new Response(e.active ? 'active' : 'inactive');
      }
      case '/one/none':
        return new Response('active');
      case '/webhooks': {
        // Signed beforehand (within Stripe's 5-minute tolerance), so only the receiving side is timed.
        const concurrency = Number(url.searchParams.get('concurrency') ?? 16);
        const run = crypto.randomUUID().slice(0, 8);
        const created = Math.floor(Date.now() / 1000);
        const events = await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            const payload = JSON.stringify({
              id: `evt_${run}_${i}`,
              object: 'event',
              api_version: '2026-10-28.endive',
              created,
              type: 'customer.subscription.updated',
              data: { object: { id: `sub_p_hit_${i % 100}`, object: 'subscription' } },
              livemode: false,
              pending_webhooks: 1,
              request: { id: null, idempotency_key: null },
            });
            return { payload, signature: await stripeSignature(this.env.WEBHOOK_SECRET, payload) };
          }),
        );
        let next = 0;
        let accepted = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < events.length) {
              const e = events[next++]!;
              const reply = await billing.handle(
                'billing.stripeWebhook',
                { params: {}, query: {}, body: e.payload, headers: { 'stripe-signature': e.signature } },
                caller,
              );
              if (reply.status === 200) accepted++;
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        return Response.json({ events: n, accepted, seconds, perSecond: accepted / seconds, concurrency });
      }
      default:
        return new Response('not found', { status: 404 });
    }
  }
}
