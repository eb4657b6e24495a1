import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../lib/api.ts';
import { Problem, problemResponse } from '../../../lib/problem.ts';
import { call } from './support/service.ts';
import { callAsClient, createEndpoint, notify, settle, subscriptionCreated } from './support/webhooks.ts';

/** The HTTP answer the gateway makes of a problem reply. */
async function asHttp(reply: Reply) {
  expect(reply.problem, `expected a problem, got ${reply.status}`).toBeDefined();
  const res = problemResponse(Problem.fromJSON(reply.problem!), 'req-1', '/billing/webhook-endpoints');
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const create = (body: unknown) => callAsClient('billing.webhookEndpointCreate', { body });

describe('bad input is a 400 problem naming each field', () => {
  it.each([
    ['no url', { eventTypes: ['PaymentFailed'] }, 'url'],
    ['a url that is not one', { url: 'not a url', eventTypes: ['PaymentFailed'] }, 'url'],
    [
      'a url too long',
      { url: `https://hooks.example.com/${'a'.repeat(2100)}`, eventTypes: ['PaymentFailed'] },
      'url',
    ],
    ['no event types', { url: 'https://hooks.example.com/x' }, 'eventTypes'],
    ['an empty list of event types', { url: 'https://hooks.example.com/x', eventTypes: [] }, 'eventTypes'],
    [
      'an unknown event type',
      { url: 'https://hooks.example.com/x', eventTypes: ['VideoCreated'] },
      'eventTypes.0',
    ],
    [
      'a description too long',
      { url: 'https://hooks.example.com/x', eventTypes: ['PaymentFailed'], description: 'x'.repeat(501) },
      'description',
    ],
  ])('%s', async (_name, body, path) => {
    const { status, body: problem } = await asHttp(await create(body));
    expect(status).toBe(400);
    expect(problem).toMatchObject({
      type: 'https://errors.edge-video.dev/validation-failed',
      title: 'Validation Failed',
      status: 400,
      requestId: 'req-1',
    });
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('a URL the policy refuses says why, on the url field', async () => {
    const { status, body } = await asHttp(
      await create({ url: 'https://169.254.169.254/latest', eventTypes: ['PaymentFailed'] }),
    );
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { path: 'url', message: 'The URL must not point at a link local address.' },
    ]);
  });

  it('a PATCH that changes nothing', async () => {
    const endpoint = await createEndpoint();
    const reply = await callAsClient('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: {},
    });
    expect((await asHttp(reply)).status).toBe(400);
  });

  it('a page past the limit', async () => {
    const reply = await callAsClient('billing.webhookEndpointList', { query: { limit: '500' } });
    expect((await asHttp(reply)).body.errors[0].path).toBe('limit');
  });
});

describe('unknown resources are 404 problems', () => {
  it.each([
    ['billing.webhookEndpointGet', {}],
    ['billing.webhookEndpointUpdate', { body: { enabled: false } }],
    [
      'billing.webhookEndpointReplace',
      { body: { url: 'https://hooks.example.com/x', eventTypes: ['PaymentFailed'] } },
    ],
    ['billing.webhookEndpointDelete', {}],
    ['billing.webhookEndpointRotateSecret', {}],
    ['billing.webhookDeliveryList', {}],
    ['billing.webhookEndpointTest', {}],
  ] as const)('%s', async (routeId, input) => {
    const reply = await call(routeId, { params: { id: 'whe_missing' }, ...input });
    const { status, body } = await asHttp(reply);
    expect(status).toBe(404);
    expect(body.detail).toBe('No webhook endpoint whe_missing.');
  });

  it('an unknown delivery of a known endpoint', async () => {
    const endpoint = await createEndpoint();
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    const reply = await call('billing.webhookRedeliver', {
      params: { id: endpoint.endpointId, deliveryId: 'wha_missing' },
    });
    expect((await asHttp(reply)).status).toBe(404);
  });

  it('a delivery of another endpoint', async () => {
    const [a, b] = [await createEndpoint(), await createEndpoint()];
    await notify(subscriptionCreated());
    await settle(a.endpointId);
    const log = await call('billing.webhookDeliveryList', { params: { id: a.endpointId } });
    const reply = await call('billing.webhookRedeliver', {
      params: { id: b.endpointId, deliveryId: log.body[0].deliveryId },
    });
    expect((await asHttp(reply)).status).toBe(404);
  });
});

describe('conflicts', () => {
  it('a disabled endpoint takes no test message (409)', async () => {
    const endpoint = await createEndpoint();
    await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { enabled: false },
    });
    const { status, body } = await asHttp(
      await call('billing.webhookEndpointTest', { params: { id: endpoint.endpointId } }),
    );
    expect(status).toBe(409);
    expect(body.detail).toContain('disabled');
  });
});
