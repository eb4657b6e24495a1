import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { outbox } from '../../../../queues/outbox.ts';
import { database } from '../src/db/client.ts';
import { webhookAudit } from '../src/db/schema.ts';
import { sweepWebhookFanOut } from '../src/webhooks/fanout.ts';
import { call } from './support/service.ts';
import {
  billingEvent,
  createEndpoint,
  notify,
  queueOf,
  RECEIVER_ORIGIN,
  received,
  settle,
  subscriptionCreated,
  verify,
} from './support/webhooks.ts';

describe('registering and managing endpoints', () => {
  it('answers 201 with the endpoint and its whsec_ secret, which is never shown again', async () => {
    const reply = await call('billing.webhookEndpointCreate', {
      body: { url: `${RECEIVER_ORIGIN}/register`, eventTypes: ['PaymentFailed'], description: 'ops' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      url: `${RECEIVER_ORIGIN}/register`,
      eventTypes: ['PaymentFailed'],
      description: 'ops',
      enabled: true,
      disabledReason: null,
    });
    expect(reply.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const got = await call('billing.webhookEndpointGet', { params: { id: reply.body.endpointId } });
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(reply.body.secret.slice(6));
    expect(got.body.queue).toEqual({
      pending: 0,
      nextAttemptAt: null,
      failingSince: null,
      lastSuccessAt: null,
    });
    const list = await call('billing.webhookEndpointList', { query: { limit: '100' } });
    expect(JSON.stringify(list.body)).not.toContain(reply.body.secret.slice(6));
  });

  it('lists endpoints newest first, paged, with the total', async () => {
    const a = await createEndpoint();
    const b = await createEndpoint();
    const page = await call('billing.webhookEndpointList', { query: { page: '1', limit: '2' } });
    expect(page.status).toBe(200);
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect(page.body.map((e: { endpointId: string }) => e.endpointId)).toEqual([b.endpointId, a.endpointId]);
  });

  it('PATCH changes the named fields and PUT replaces them; both are audited', async () => {
    const endpoint = await createEndpoint(['PaymentFailed']);
    const patched = await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { eventTypes: ['PaymentFailed', 'PaymentSucceeded', 'PaymentFailed'], description: 'finance' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      url: endpoint.url,
      eventTypes: ['PaymentFailed', 'PaymentSucceeded'],
      description: 'finance',
    });
    const replaced = await call('billing.webhookEndpointReplace', {
      params: { id: endpoint.endpointId },
      body: { url: `${endpoint.url}/v2`, eventTypes: ['SubscriptionCanceled'] },
    });
    expect(replaced.body).toMatchObject({
      url: `${endpoint.url}/v2`,
      eventTypes: ['SubscriptionCanceled'],
      description: '',
      enabled: true,
    });
    const trail = await database(env.DB).select().from(webhookAudit);
    const mine = trail.filter((t) => t.endpointId === endpoint.endpointId).map((t) => t.action);
    expect(mine.sort()).toEqual(['endpoint.create', 'endpoint.update', 'endpoint.update']);
  });

  it('an admin can disable and re-enable an endpoint', async () => {
    const endpoint = await createEndpoint();
    const off = await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { enabled: false },
    });
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'Disabled by an admin.' });
    await notify(subscriptionCreated());
    expect(await received(endpoint.name)).toEqual([]);
    const on = await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { enabled: true },
    });
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
  });

  it('DELETE removes the endpoint and its queue', async () => {
    const endpoint = await createEndpoint();
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    expect(
      (await call('billing.webhookEndpointDelete', { params: { id: endpoint.endpointId } })).status,
    ).toBe(204);
    expect((await call('billing.webhookEndpointGet', { params: { id: endpoint.endpointId } })).status).toBe(
      404,
    );
    expect(await queueOf(endpoint.endpointId).deliveries({ page: 1, limit: 10 })).toEqual({
      rows: [],
      total: 0,
    });
    await notify(subscriptionCreated());
    expect(await received(endpoint.name)).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('POSTs a subscribed event signed per Standard Webhooks, webhook-id being the event id', async () => {
    const endpoint = await createEndpoint();
    const event = subscriptionCreated();
    await notify(event);
    await settle(endpoint.endpointId);
    const [request, ...more] = await received(endpoint.name);
    expect(more).toEqual([]);
    expect(request!.method).toBe('POST');
    expect(request!.headers['webhook-id']).toBe(event.id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(Number(request!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(request!, endpoint.secret)).toEqual({
      type: 'SubscriptionCreated',
      timestamp: event.time,
      data: event.data,
    });
    // A forged body does not verify.
    expect(() =>
      verify({ ...request!, body: request!.body.replace('active', 'canceled') }, endpoint.secret),
    ).toThrow();
  });

  it('sends only the event types an endpoint subscribed to, and nothing from before it existed', async () => {
    const before = billingEvent('PaymentFailed', 'sub_old', {
      userId: 'usr_1',
      amount: 999,
      currency: 'usd',
      reason: 'card_declined',
    });
    await new Promise((r) => setTimeout(r, 5));
    const endpoint = await createEndpoint(['PaymentFailed']);
    const failed = billingEvent('PaymentFailed', 'sub_1', {
      userId: 'usr_1',
      amount: 999,
      currency: 'usd',
      reason: 'card_declined',
    });
    const other = billingEvent('VideoDeleted', 'vid_1', { videoId: 'vid_1' });
    await notify(before, subscriptionCreated(), failed, other);
    await settle(endpoint.endpointId);
    expect((await received(endpoint.name)).map((r) => r.headers['webhook-id'])).toEqual([failed.id]);
  });

  it('delivers the events of one endpoint in the order they happened', async () => {
    const endpoint = await createEndpoint();
    const events = Array.from({ length: 8 }, () => subscriptionCreated());
    // Handed over in several batches, as several requests would.
    await notify(...events.slice(0, 3));
    await notify(...events.slice(3, 4));
    await notify(...events.slice(4));
    await settle(endpoint.endpointId);
    expect((await received(endpoint.name)).map((r) => r.headers['webhook-id'])).toEqual(
      events.map((e) => e.id),
    );
  });

  it('an event handed over twice is delivered once', async () => {
    const endpoint = await createEndpoint();
    const event = subscriptionCreated();
    await notify(event);
    await notify(event);
    await settle(endpoint.endpointId);
    await notify(event);
    await settle(endpoint.endpointId);
    expect(await received(endpoint.name)).toHaveLength(1);
  });

  it('the upkeep sweep hands over outbox events that notifyEndpoints never saw', async () => {
    const endpoint = await createEndpoint();
    const event = subscriptionCreated();
    const db = database(env.DB);
    await db.insert(outbox).values({
      id: event.id,
      type: event.type,
      subject: event.subject,
      envelope: event,
      createdAt: new Date(event.time),
      sentAt: new Date(),
      sendAttempts: 1,
    });
    // Within its first minute the event is left to the request that staged it.
    expect(await sweepWebhookFanOut(env, Date.now())).toBe(0);
    expect(await sweepWebhookFanOut(env, Date.now() + 61_000)).toBeGreaterThanOrEqual(1);
    await settle(endpoint.endpointId);
    expect((await received(endpoint.name)).map((r) => r.headers['webhook-id'])).toEqual([event.id]);
    // Handed over once: the next sweep skips it.
    expect(await sweepWebhookFanOut(env, Date.now() + 61_000)).toBe(0);
  });
});

describe('the delivery log', () => {
  it('lists every attempt with its status, duration and attempt number, newest first', async () => {
    const endpoint = await createEndpoint();
    const [a, b] = [subscriptionCreated(), subscriptionCreated()];
    await notify(a, b);
    await settle(endpoint.endpointId);
    const log = await call('billing.webhookDeliveryList', { params: { id: endpoint.endpointId } });
    expect(log.status).toBe(200);
    expect(log.total).toBe(2);
    expect(log.body.map((d: { eventId: string }) => d.eventId)).toEqual([b.id, a.id]);
    expect(log.body[0]).toMatchObject({
      eventType: 'SubscriptionCreated',
      attempt: 1,
      trigger: 'event',
      succeeded: true,
      statusCode: 204,
      error: null,
      nextRetryAt: null,
      messageState: 'delivered',
    });
    expect(log.body[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(log.body[0].deliveryId).toMatch(/^wha_/);
    const one = await call('billing.webhookDeliveryList', {
      params: { id: endpoint.endpointId },
      query: { eventId: a.id },
    });
    expect(one.body.map((d: { eventId: string }) => d.eventId)).toEqual([a.id]);
  });

  it('is 404 for an unknown endpoint', async () => {
    const reply = await call('billing.webhookDeliveryList', { params: { id: 'whe_missing' } });
    expect(reply.status).toBe(404);
  });
});

describe('secret rotation', () => {
  it('signs with the new and the old secret for a day, so receivers of either verify', async () => {
    const endpoint = await createEndpoint();
    const rotated = await call('billing.webhookEndpointRotateSecret', {
      params: { id: endpoint.endpointId },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    const [request] = await received(endpoint.name);
    expect(request!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => verify(request!, endpoint.secret)).not.toThrow();
    expect(() => verify(request!, rotated.body.secret)).not.toThrow();
    expect(() =>
      new Webhook(`whsec_${btoa('another secret')}`).verify(request!.body, request!.headers),
    ).toThrow();
  });
});

describe('test messages', () => {
  it('queues a signed WebhookTest message', async () => {
    const endpoint = await createEndpoint();
    const reply = await call('billing.webhookEndpointTest', { params: { id: endpoint.endpointId } });
    expect(reply.status).toBe(202);
    await settle(endpoint.endpointId);
    const [request] = await received(endpoint.name);
    expect(request!.headers['webhook-id']).toBe(reply.body.eventId);
    expect(verify(request!, endpoint.secret)).toMatchObject({
      type: 'WebhookTest',
      data: { endpointId: endpoint.endpointId },
    });
    const log = await call('billing.webhookDeliveryList', { params: { id: endpoint.endpointId } });
    expect(log.body[0]).toMatchObject({ trigger: 'test', succeeded: true });
  });
});
