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
    serviceBindings: { EVENT_SINK: 'event-sink' },
    // Outbound fetches (only ever to an identity provider here) reach one that is down.
    outboundService: 'provider-down',
    workers: [
      {
        name: 'provider-down',
        modules: true,
        script:
          'export default { async fetch(r) { await r.arrayBuffer(); return new Response("down", { status: 503 }) } }',
      },
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
