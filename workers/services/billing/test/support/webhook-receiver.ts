/**
 * Fake webhook receivers for the tests, answering every outbound request of the billing Worker
 * (vitest.config.ts `outboundService`; it runs in Node, outside workerd). Each receiver is a path
 * `https://hooks.example.com/<name>` that records what it gets and answers by its mode; tests
 * switch modes and read the records at `https://receiver.control/<name>`.
 */
export const RECEIVER_ORIGIN = 'https://hooks.example.com';
export const CONTROL_ORIGIN = 'https://receiver.control';

export type ReceiverMode =
  /** 204. */
  | 'up'
  /** 503 with a long body (the log keeps its first KiB). */
  | 'down'
  /** 500 the first time it sees a webhook-id (it did the work, then lost the answer), 200 after. */
  | 'flaky'
  /** Answers after 3 s (longer than the tests' attempt timeout). */
  | 'hang'
  /** 307 to the metadata address. */
  | 'redirect';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

interface Receiver {
  mode: ReceiverMode;
  received: ReceivedRequest[];
}

const receivers = new Map<string, Receiver>();

function receiver(name: string): Receiver {
  let r = receivers.get(name);
  if (!r) {
    r = { mode: 'up', received: [] };
    receivers.set(name, r);
  }
  return r;
}

function answer(r: Receiver, id: string): Response {
  switch (r.mode) {
    case 'up':
      return new Response(null, { status: 204 });
    case 'down':
      return new Response(`receiver down ${'.'.repeat(4000)}`, { status: 503 });
    case 'flaky': {
      const seen = r.received.filter((q) => q.headers['webhook-id'] === id).length;
      return seen > 1 ? new Response('ok', { status: 200 }) : new Response('lost', { status: 500 });
    }
    case 'redirect':
      return new Response(null, { status: 307, headers: { location: 'http://169.254.169.254/latest' } });
    case 'hang':
      return new Response('too late', { status: 200 });
  }
}

/** Answers receiver and control requests; undefined for any other host. */
export async function fakeReceiver(request: Request): Promise<Response | undefined> {
  const url = new URL(request.url);
  const name = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (url.origin === CONTROL_ORIGIN) {
    const r = receiver(name);
    if (request.method === 'PUT') {
      r.mode = (await request.text()) as ReceiverMode;
      return new Response(null, { status: 204 });
    }
    return Response.json(r.received);
  }
  if (url.origin !== RECEIVER_ORIGIN) return undefined;
  const r = receiver(name);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => {
    headers[k.toLowerCase()] = v;
  });
  const entry: ReceivedRequest = {
    method: request.method,
    path: url.pathname,
    headers,
    body: await request.text(),
    status: 0,
  };
  r.received.push(entry);
  if (r.mode === 'hang') await new Promise((resolve) => setTimeout(resolve, 3000));
  const res = answer(r, headers['webhook-id'] ?? '');
  entry.status = res.status;
  return res;
}
