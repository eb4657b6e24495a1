/**
 * A Stripe-API-compatible HTTP server for the tests, as a fetch handler: it answers the requests
 * Stripe's own SDK sends (form-encoded bodies with bracketed keys, Bearer secret key, Stripe-Version,
 * Idempotency-Key) with Stripe's JSON objects and error objects, backed by the same emulator as the
 * local provider. So the Stripe provider is exercised with the real SDK: its requests, retries and
 * error classes. In workerd tests miniflare routes every outbound request here (`outboundService`);
 * end to end it runs behind a Node HTTP server (test/e2e/support/stripe-server.ts).
 *
 * Besides `/v1/…` it answers a test-only control API under `/_emulator/`:
 *   POST /_emulator/advance {now, userId?}  let time pass (renewals, retries, trial ends, cancels)
 *   GET  /_emulator/events                  take the webhook events not yet delivered
 *   POST /_emulator/faults {method, path, status, times}  fail the next matching requests
 *   GET  /_emulator/requests                what it received (method, path, idempotency key, …)
 *   GET  /_emulator/delivered               the webhooks it delivered to `webhook.url`
 */
import { memoryStore, StripeEmulator } from '../../src/providers/local/emulator.ts';
import { stripeSignature } from '../../src/providers/signature.ts';

export const FAKE_STRIPE = {
  url: 'http://stripe.test',
  host: 'stripe.test',
  secretKey: 'sk_test_fake_stripe_secret_key',
  retryDays: [1, 3, 5, 7],
};

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  params: Record<string, unknown>;
  status: number;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  times: number;
}

export interface FakeStripeOptions {
  secretKey?: string;
  retryDays?: number[];
  /** Where webhooks go, signed with `webhookSecret`; without it they wait for GET /_emulator/events. */
  webhook?: { url: string; secret: string };
}

/** Stripe's form encoding (`items[0][price]=…`, `expand[0]=…`) back into objects and arrays. */
export function decodeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      if (last) {
        node[part] = value;
        return;
      }
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    });
  }
  const arrays = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, arrays(x)] as const);
    if (entries.length && entries.every(([k]) => /^\d+$/.test(k)))
      return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, x]) => x);
    return Object.fromEntries(entries);
  };
  return arrays(root) as Record<string, unknown>;
}

export function createFakeStripe(opts: FakeStripeOptions = {}) {
  const secretKey = opts.secretKey ?? FAKE_STRIPE.secretKey;
  const emulator = new StripeEmulator(memoryStore(), { retryDays: opts.retryDays ?? FAKE_STRIPE.retryDays });
  const requests: RecordedRequest[] = [];
  const delivered: { id: string; type: string; payload: string }[] = [];
  const faults: Fault[] = [];
  // One request at a time, as the emulator expects (Stripe serialises an account's writes too).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: {
        'content-type': 'application/json',
        'request-id': `req_fake_${requests.length}`,
        ...headers,
      },
    });

  /** Sends pending webhooks to the configured URL, in order, as Stripe does after the response. */
  let deliveries: Promise<void> = Promise.resolve();
  function deliverWebhooks(): Promise<void> {
    deliveries = deliveries.then(deliverPending, deliverPending);
    return deliveries;
  }

  async function deliverPending(): Promise<void> {
    if (!opts.webhook) return;
    const { url, secret } = opts.webhook;
    for (const event of await serial(() => emulator.pendingEvents(100))) {
      const payload = JSON.stringify(event);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': await stripeSignature(secret, payload),
        },
        body: payload,
      }).catch(() => undefined);
      await res?.arrayBuffer();
      if (!res || res.status >= 300) return; // kept for the next delivery, as Stripe retries
      await serial(() => emulator.delivered([event.id]));
      delivered.push({ id: event.id, type: event.type, payload });
    }
  }

  async function control(request: Request, path: string): Promise<Response> {
    if (request.method === 'POST' && path === '/_emulator/advance') {
      const { now, userId } = (await request.json()) as { now: number; userId?: string };
      await serial(() => emulator.advance(now, userId ? { userId } : {}));
      await deliverWebhooks();
      return json(200, {});
    }
    if (request.method === 'GET' && path === '/_emulator/events') {
      return json(
        200,
        await serial(async () => {
          const events = await emulator.pendingEvents(1000);
          await emulator.delivered(events.map((e) => e.id));
          return events.map((e) => ({ id: e.id, type: e.type, payload: JSON.stringify(e) }));
        }),
      );
    }
    if (request.method === 'POST' && path === '/_emulator/faults') {
      faults.push((await request.json()) as Fault);
      return json(200, {});
    }
    if (request.method === 'GET' && path === '/_emulator/requests') return json(200, requests);
    if (request.method === 'GET' && path === '/_emulator/delivered') return json(200, delivered);
    return json(404, { error: 'no such control route' });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/_emulator/')) return control(request, url.pathname);
    if (request.headers.get('authorization') !== `Bearer ${secretKey}`) {
      return json(401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' },
      });
    }
    const params =
      request.method === 'GET' ? decodeForm(url.search.slice(1)) : decodeForm(await request.text());
    const record: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      idempotencyKey: request.headers.get('idempotency-key'),
      stripeVersion: request.headers.get('stripe-version'),
      params,
      status: 0,
    };
    requests.push(record);
    const fault = faults.find(
      (f) => f.times > 0 && f.method === request.method && url.pathname.startsWith(f.path),
    );
    if (fault) {
      fault.times -= 1;
      record.status = fault.status;
      return json(fault.status, { error: { type: 'api_error', message: 'An unexpected error occurred.' } });
    }
    const res = await serial(() =>
      emulator.request(request.method, url.pathname, params, { idempotencyKey: record.idempotencyKey }),
    );
    record.status = res.status;
    if (request.method !== 'GET') setTimeout(() => void deliverWebhooks(), 0);
    return json(res.status, res.body, {
      'stripe-version': record.stripeVersion ?? '',
      ...(record.idempotencyKey ? { 'idempotency-key': record.idempotencyKey } : {}),
    });
  }

  return { handle, emulator, requests, deliverWebhooks };
}
