/**
 * The Stripe-compatible stand-in of the billing tests (workers/services/billing/test/support/
 * fake-stripe.ts) behind a Node HTTP server: the platform's Stripe SDK talks to it, and it delivers
 * signed webhooks to the platform's webhook route, as Stripe would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeStripe, FAKE_STRIPE } from '../../../workers/services/billing/test/support/fake-stripe.ts';

export interface FakeStripeServer {
  url: string;
  secretKey: string;
  stop(): Promise<void>;
}

export async function startFakeStripe(webhook: { url: string; secret: string }): Promise<FakeStripeServer> {
  const stripe = createFakeStripe({ webhook });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const response = await stripe.handle(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secretKey: FAKE_STRIPE.secretKey,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
