import { serviceProject } from '../../../test/service-project.ts';

/** A consumer of the queues the auth service produces to, so tests can see the emitted events. */
const EVENT_SINK = `
const seen = [];
export default {
  async queue(batch) {
    for (const m of batch.messages) { seen.push({ queue: batch.queue, body: m.body }); m.ack(); }
  },
  async fetch() { return Response.json(seen); },
};`;

/**
 * A mail API shaped like the common providers' (POST /emails, bearer key, Idempotency-Key), which
 * keeps what it accepted for the tests (GET /received). Recipients steer it: `flaky…` fails the
 * first attempt with 503, `always-fails…` always does, `rejected…` is refused with 422.
 */
const FAKE_MAIL_API = `
const received = [];
const attempts = new Map();
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/received') return Response.json(received);
    if (request.method !== 'POST' || url.pathname !== '/emails') return new Response('not found', { status: 404 });
    if (request.headers.get('authorization') !== 'Bearer test-mail-api-key')
      return Response.json({ message: 'invalid API key' }, { status: 401 });
    const mail = await request.json();
    const to = String(mail.to?.[0] ?? '');
    const key = request.headers.get('idempotency-key') ?? '';
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    if (to.startsWith('always-fails') || (to.startsWith('flaky') && attempt === 1))
      return Response.json({ message: 'unavailable' }, { status: 503 });
    if (to.startsWith('rejected')) return Response.json({ message: 'invalid recipient' }, { status: 422 });
    received.push({ mail, attempt, idempotencyKey: key, contentType: request.headers.get('content-type') });
    return Response.json({ id: crypto.randomUUID() });
  },
};`;

/** Outbound fetches: mail.test reaches the fake mail API; anything else an identity provider that is down. */
const OUTBOUND = `
export default {
  async fetch(request, env) {
    if (new URL(request.url).hostname === 'mail.test') return env.MAIL_API.fetch(request);
    await request.arrayBuffer();
    return new Response('down', { status: 503 });
  },
};`;

export default serviceProject({
  dir: import.meta.dirname,
  // The event sink below consumes what the service publishes, so tests can see the events.
  events: 'real',
  bindings: {
    KEY_ENCRYPTION_KEY: 'test-key-encryption-key-0123456789abcdef',
    ADMIN_EMAIL: 'root@example.com',
    ADMIN_PASSWORD: 'root-password-for-tests',
    // Google is configured (and down, see outboundService); GitHub is not. The real
    // providers are exercised end to end in test/e2e/auth.oauth.test.ts.
    GOOGLE_CLIENT_ID: 'edge-video-test',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    GOOGLE_AUTHORIZATION_URL: 'https://idp.test/authorize',
    GOOGLE_TOKEN_URL: 'https://idp.test/token',
    OAUTH_REDIRECT_ORIGINS: 'https://app.example.com',
  },
  miniflare: {
    serviceBindings: { EVENT_SINK: 'event-sink', MAIL_API: 'fake-mail-api' },
    outboundService: 'outbound',
    workers: [
      { name: 'outbound', modules: true, script: OUTBOUND, serviceBindings: { MAIL_API: 'fake-mail-api' } },
      { name: 'fake-mail-api', modules: true, script: FAKE_MAIL_API },
      {
        name: 'event-sink',
        modules: true,
        script: EVENT_SINK,
        queueConsumers: {
          'analytics-events': { maxBatchTimeout: 0.05 },
          'profile-events': { maxBatchTimeout: 0.05 },
        },
      },
    ],
  },
});
