import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../lib/api.ts';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { database } from '../src/db/client.ts';
import { webhookEndpoints } from '../src/db/schema.ts';
import { checkEndpointUrl } from '../src/webhooks/url-policy.ts';
import { admin, anonymous, call, ORIGIN, viewer } from './support/service.ts';
import {
  callAsClient,
  createEndpoint,
  notify,
  received,
  settle,
  subscriptionCreated,
} from './support/webhooks.ts';

/** Valid URLs (the schema takes them) that must never become an endpoint outside development. */
const INTERNAL_URLS = [
  'http://127.0.0.1/hook',
  'http://[::1]/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://2130706433/',
  'https://127.0.0.1/hook',
  'https://127.0.0.1:8443/hook',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://0x7f.1/',
  'https://0177.0.0.1/',
  'https://127.1/',
  'https://127.0.0.1./',
  'https://0.0.0.0/',
  'https://0/',
  'https://10.0.0.1/',
  'https://172.16.5.4/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://169.254.169.254/latest/meta-data/',
  'https://2852039166/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'https://[::1]/',
  'https://[::]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:169.254.169.254]/',
  'https://[::127.0.0.1]/',
  'https://[fe80::1]/',
  'https://[fd00:ec2::254]/',
  'https://[fc00::1]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[2002:a9fe:a9fe::1]/',
  'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
  'https://[2001:db8::1]/',
  'https://[ff02::1]/',
  'https://localhost/',
  'https://LOCALHOST./',
  'https://api.localhost/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://billing.internal/',
  'https://printer.local/',
  'https://router.lan/',
  'https://1.0.0.127.in-addr.arpa/',
  'https://intranet/',
  'https://user:password@hooks.example.com/',
  'https://hooks.example.com/#fragment',
  'ftp://hooks.example.com/',
  'file:///etc/passwd',
];

async function register(url: string, caller: Caller = admin) {
  return callAsClient(
    'billing.webhookEndpointCreate',
    { body: { url, eventTypes: ['PaymentFailed'] } },
    caller,
  );
}

describe('outbound URLs (staging, production and tests)', () => {
  for (const url of INTERNAL_URLS) {
    it(`refuses ${url}`, async () => {
      const reply = await register(url);
      expect(reply.status).toBe(400);
      expect(reply.problem).toMatchObject({ code: 'validation_failed', errors: [{ path: 'url' }] });
      expect(checkEndpointUrl(url, 'production').ok).toBe(false);
      expect(checkEndpointUrl(url, 'staging').ok).toBe(false);
    });
  }

  it('refuses them when an endpoint is moved too (PATCH and PUT)', async () => {
    const endpoint = await createEndpoint();
    const id = endpoint.endpointId;
    const patched = await call('billing.webhookEndpointUpdate', {
      params: { id },
      body: { url: 'https://169.254.169.254/' },
    });
    const put = await call('billing.webhookEndpointReplace', {
      params: { id },
      body: { url: 'https://10.0.0.1/', eventTypes: ['PaymentFailed'] },
    });
    expect([patched.status, put.status]).toEqual([400, 400]);
    const row = await database(env.DB)
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, id))
      .get();
    expect(row!.url).toBe(endpoint.url);
  });

  it('accepts public https hosts and addresses', () => {
    for (const url of [
      'https://hooks.example.com/billing?tenant=1',
      'https://hooks.example.com:8443/billing',
      'https://93.184.215.14/hook',
      'https://[2606:4700:4700::1111]/hook',
    ]) {
      expect(checkEndpointUrl(url, 'production'), url).toMatchObject({ ok: true });
    }
  });

  it('development allows http and loopback receivers, never link-local', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost:3000/hook', 'http://[::1]:9000/'])
      expect(checkEndpointUrl(url, 'development'), url).toMatchObject({ ok: true });
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'ftp://127.0.0.1/'])
      expect(checkEndpointUrl(url, 'development').ok, url).toBe(false);
  });

  it('checks the URL again before every attempt: a stored internal URL gets no request', async () => {
    const endpoint = await createEndpoint();
    await database(env.DB)
      .update(webhookEndpoints)
      .set({ url: 'https://169.254.169.254/latest/meta-data/' })
      .where(eq(webhookEndpoints.id, endpoint.endpointId));
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    const log = await call('billing.webhookDeliveryList', { params: { id: endpoint.endpointId } });
    expect(log.body[0]).toMatchObject({
      succeeded: false,
      statusCode: null,
      error: 'URL refused: it must not point at a link local address',
    });
    expect(await received(endpoint.name)).toEqual([]);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const endpoint = await createEndpoint(undefined, 'redirect');
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    const log = await call('billing.webhookDeliveryList', { params: { id: endpoint.endpointId } });
    expect(log.body[0]).toMatchObject({
      succeeded: false,
      statusCode: 307,
      error: 'redirect to http://169.254.169.254/latest not followed',
    });
    expect(await received(endpoint.name)).toHaveLength(1);
  });
});

describe('access', () => {
  const routes = [
    [
      'billing.webhookEndpointCreate',
      { body: { url: 'https://hooks.example.com/x', eventTypes: ['PaymentFailed'] } },
    ],
    ['billing.webhookEndpointList', {}],
    ['billing.webhookEndpointGet', { params: { id: 'whe_x' } }],
    ['billing.webhookEndpointUpdate', { params: { id: 'whe_x' }, body: { enabled: false } }],
    [
      'billing.webhookEndpointReplace',
      {
        params: { id: 'whe_x' },
        body: { url: 'https://hooks.example.com/x', eventTypes: ['PaymentFailed'] },
      },
    ],
    ['billing.webhookEndpointDelete', { params: { id: 'whe_x' } }],
    ['billing.webhookEndpointRotateSecret', { params: { id: 'whe_x' } }],
    ['billing.webhookDeliveryList', { params: { id: 'whe_x' } }],
    ['billing.webhookRedeliver', { params: { id: 'whe_x', deliveryId: 'wha_x' } }],
    ['billing.webhookEndpointTest', { params: { id: 'whe_x' } }],
  ] as const;

  for (const [routeId, input] of routes) {
    it(`${routeId}: admins only (viewer 403, anonymous 401)`, async () => {
      expect((await call(routeId, input, viewer)).status).toBe(403);
      const anon = await call(routeId, input, anonymous);
      expect(anon.status).toBe(401);
      expect(anon.problem?.headers?.['WWW-Authenticate']).toMatch(/^Bearer/);
    });
  }

  it('an API key with the billing:admin scope may manage endpoints; other scopes may not', async () => {
    const key = (scopes: string[]) =>
      testCaller(ORIGIN, undefined, [], { apiKey: { id: 'key_1', ownerId: 'usr_admin', scopes } });
    expect((await register('https://hooks.example.com/key', key(['billing:admin']))).status).toBe(201);
    expect((await register('https://hooks.example.com/key', key(['videos:write']))).status).toBe(403);
  });
});
