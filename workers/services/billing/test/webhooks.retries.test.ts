import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { database } from '../src/db/client.ts';
import { webhookAudit } from '../src/db/schema.ts';
import { RETRY_WINDOW_MS, retryDelay } from '../src/webhooks/schedule.ts';
import { call } from './support/service.ts';
import {
  accepted,
  advance,
  createEndpoint,
  nextAttempt,
  notify,
  queueOf,
  received,
  receiverMode,
  settle,
  subscriptionCreated,
  verify,
} from './support/webhooks.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const ids = (requests: { headers: Record<string, string> }[]) => requests.map((r) => r.headers['webhook-id']);

async function deliveries(endpointId: string, eventId?: string) {
  const reply = await call('billing.webhookDeliveryList', {
    params: { id: endpointId },
    query: { limit: '100', ...(eventId ? { eventId } : {}) },
  });
  expect(reply.status).toBe(200);
  return reply.body as {
    deliveryId: string;
    eventId: string;
    attempt: number;
    trigger: string;
    succeeded: boolean;
    statusCode: number | null;
    error: string | null;
    responseBody: string | null;
    nextRetryAt: string | null;
    messageState: string;
  }[];
}

describe('the retry schedule', () => {
  it('backs off 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h, each within 10 % jitter', () => {
    const expected = [
      5 * SECOND,
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      10 * HOUR,
      10 * HOUR,
    ];
    expected.forEach((base, i) => {
      expect(retryDelay(i + 1, 0)).toBe(Math.round(base * 0.9));
      expect(retryDelay(i + 1, 0.5)).toBe(base);
      expect(retryDelay(i + 1, 0.999999)).toBeLessThanOrEqual(Math.round(base * 1.1));
    });
    expect(RETRY_WINDOW_MS).toBe(72 * HOUR);
  });
});

describe('a receiver that is down for an hour', () => {
  it('gets every event once it is back: nothing lost, nothing twice, in order', async () => {
    const endpoint = await createEndpoint(undefined, 'down');
    const early = [subscriptionCreated(), subscriptionCreated(), subscriptionCreated()];
    await notify(...early);
    await settle(endpoint.endpointId);
    let elapsed = 0;
    // Retries after 5 s, 5 min and 30 min all fail.
    for (let i = 0; i < 3; i++) elapsed += await nextAttempt(endpoint.endpointId);
    expect(elapsed).toBeGreaterThan(30 * MINUTE);
    // More events arrive while it is down; they queue behind the first.
    const late = [subscriptionCreated(), subscriptionCreated()];
    await notify(...late);
    await advance(endpoint.endpointId, HOUR - elapsed);
    await settle(endpoint.endpointId);
    const whileDown = await received(endpoint.name);
    expect(new Set(ids(whileDown))).toEqual(new Set([early[0]!.id]));
    expect(whileDown.length).toBeGreaterThanOrEqual(4);

    await receiverMode(endpoint.name, 'up');
    const queued = await queueOf(endpoint.endpointId).status();
    expect(queued).toMatchObject({ pending: 5, delivering: false });
    expect(queued.failingSince).not.toBeNull();
    // The next retry (2 h after the third) finds it back and drains the queue.
    await nextAttempt(endpoint.endpointId);

    const got = await accepted(endpoint.name);
    expect(ids(got)).toEqual([...early, ...late].map((e) => e.id));
    for (const request of got) expect(() => verify(request, endpoint.secret)).not.toThrow();
    expect(await queueOf(endpoint.endpointId).status()).toMatchObject({
      pending: 0,
      failingSince: null,
      nextAttemptAt: null,
    });

    const log = await deliveries(endpoint.endpointId, early[0]!.id);
    const [success, ...failures] = log;
    expect(success).toMatchObject({
      succeeded: true,
      statusCode: 204,
      messageState: 'delivered',
      nextRetryAt: null,
    });
    expect(success!.attempt).toBe(failures.length + 1);
    expect(failures.map((f) => f.attempt)).toEqual(failures.map((_, i) => failures.length - i));
    for (const f of failures) {
      expect(f).toMatchObject({ succeeded: false, statusCode: 503, error: 'HTTP 503' });
      expect(f.nextRetryAt).not.toBeNull();
      // The answer is kept, cut at one KiB.
      expect(f.responseBody!.startsWith('receiver down')).toBe(true);
      expect(f.responseBody!.length).toBe(1025);
    }
  });

  it('a timed-out attempt is logged as such and retried', async () => {
    const endpoint = await createEndpoint(undefined, 'hang');
    const event = subscriptionCreated();
    await notify(event);
    await settle(endpoint.endpointId);
    const [attempt] = await deliveries(endpoint.endpointId);
    expect(attempt).toMatchObject({ succeeded: false, statusCode: null, error: 'timed out after 1000 ms' });
    await receiverMode(endpoint.name, 'up');
    await nextAttempt(endpoint.endpointId);
    expect((await deliveries(endpoint.endpointId))[0]).toMatchObject({ succeeded: true, attempt: 2 });
  });

  it('moving a failing endpoint to a working URL delivers its backlog at once', async () => {
    const endpoint = await createEndpoint(undefined, 'down');
    const events = [subscriptionCreated(), subscriptionCreated()];
    await notify(...events);
    await settle(endpoint.endpointId);
    const fixed = await createEndpoint(['PaymentFailed']);
    await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { url: fixed.url },
    });
    await settle(endpoint.endpointId);
    expect(ids(await accepted(fixed.name))).toEqual(events.map((e) => e.id));
  });
});

describe('a queue that lost its alarm', () => {
  it('is woken by its next message', async () => {
    const endpoint = await createEndpoint(undefined, 'down');
    const first = subscriptionCreated();
    await notify(first);
    await settle(endpoint.endpointId);
    await runInDurableObject(queueOf(endpoint.endpointId), (_o: unknown, state: DurableObjectState) =>
      state.storage.deleteAlarm(),
    );
    await receiverMode(endpoint.name, 'up');
    const second = subscriptionCreated();
    await notify(second);
    expect(
      await runInDurableObject(queueOf(endpoint.endpointId), (_o: unknown, s: DurableObjectState) =>
        s.storage.getAlarm(),
      ),
    ).not.toBeNull();
    await nextAttempt(endpoint.endpointId);
    expect(ids(await accepted(endpoint.name))).toEqual([first.id, second.id]);
  });
});

describe('a receiver that deduplicates by webhook-id', () => {
  it('sees each event exactly once, though it got retries and a redelivery', async () => {
    // It processes every request but loses the first answer for each id, so each is retried.
    const endpoint = await createEndpoint(undefined, 'flaky');
    const events = [subscriptionCreated(), subscriptionCreated(), subscriptionCreated()];
    await notify(...events);
    await settle(endpoint.endpointId);
    for (let i = 0; i < 10 && (await queueOf(endpoint.endpointId).status()).pending; i++)
      await nextAttempt(endpoint.endpointId);
    const log = await deliveries(endpoint.endpointId, events[1]!.id);
    const redelivered = await call('billing.webhookRedeliver', {
      params: { id: endpoint.endpointId, deliveryId: log[0]!.deliveryId },
    });
    expect(redelivered.status).toBe(202);
    await settle(endpoint.endpointId);

    const requests = await received(endpoint.name);
    expect(ids(requests)).toEqual([
      events[0]!.id,
      events[0]!.id,
      events[1]!.id,
      events[1]!.id,
      events[2]!.id,
      events[2]!.id,
      events[1]!.id,
    ]);
    // Every copy of an event carries the same body, and verifies.
    for (const event of events) {
      const copies = requests.filter((r) => r.headers['webhook-id'] === event.id);
      expect(new Set(copies.map((c) => c.body)).size).toBe(1);
      for (const c of copies) expect(verify(c, endpoint.secret).data).toEqual(event.data);
    }
    const processed = new Map<string, unknown>();
    for (const r of requests) {
      const id = r.headers['webhook-id']!;
      if (!processed.has(id)) processed.set(id, verify(r, endpoint.secret));
    }
    expect([...processed.keys()]).toEqual(events.map((e) => e.id));
  });
});

describe('manual redelivery', () => {
  it('sends a delivered message again with the same id and body, logged as manual', async () => {
    const endpoint = await createEndpoint();
    const event = subscriptionCreated();
    await notify(event);
    await settle(endpoint.endpointId);
    const [first] = await deliveries(endpoint.endpointId);
    const reply = await call('billing.webhookRedeliver', {
      params: { id: endpoint.endpointId, deliveryId: first!.deliveryId },
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ eventId: event.id, state: 'pending', pendingAhead: 0 });
    await settle(endpoint.endpointId);
    const [a, b] = await received(endpoint.name);
    expect(b!.headers['webhook-id']).toBe(a!.headers['webhook-id']);
    expect(b!.body).toBe(a!.body);
    expect((await deliveries(endpoint.endpointId))[0]).toMatchObject({
      eventId: event.id,
      trigger: 'manual',
      attempt: 1,
      succeeded: true,
    });
    const audit = await database(env.DB)
      .select()
      .from(webhookAudit)
      .where(eq(webhookAudit.endpointId, endpoint.endpointId));
    expect(audit.map((r) => r.action)).toContain('delivery.redeliver');
  });

  it('tries a message waiting for its retry now, ahead of its schedule', async () => {
    const endpoint = await createEndpoint(undefined, 'down');
    const [a, b] = [subscriptionCreated(), subscriptionCreated()];
    await notify(a, b);
    await settle(endpoint.endpointId);
    await receiverMode(endpoint.name, 'up');
    const [failed] = await deliveries(endpoint.endpointId);
    expect(failed!.nextRetryAt).not.toBeNull();
    await call('billing.webhookRedeliver', {
      params: { id: endpoint.endpointId, deliveryId: failed!.deliveryId },
    });
    await settle(endpoint.endpointId);
    expect(ids(await accepted(endpoint.name))).toEqual([a.id, b.id]);
  });
});

describe('an endpoint that keeps failing', () => {
  it('gives up on a message after 3 days, moves on, and is disabled and reported after 5 days of failures', async () => {
    const warn = vi.spyOn(console, 'warn');
    const endpoint = await createEndpoint(undefined, 'down');
    const events = [subscriptionCreated(), subscriptionCreated(), subscriptionCreated()];
    await notify(...events);
    await settle(endpoint.endpointId);
    let elapsed = 0;
    for (let i = 0; i < 40; i++) {
      const got = await call('billing.webhookEndpointGet', { params: { id: endpoint.endpointId } });
      if (!got.body.enabled) break;
      elapsed += await nextAttempt(endpoint.endpointId);
    }
    // 120 h (WEBHOOK_DISABLE_AFTER_HOURS) of failures, give or take the last retry delay.
    expect(elapsed).toBeGreaterThanOrEqual(120 * HOUR);
    expect(elapsed).toBeLessThan(132 * HOUR);

    const first = await deliveries(endpoint.endpointId, events[0]!.id);
    expect(first[0]).toMatchObject({ messageState: 'failed', nextRetryAt: null });
    // 12 attempts on the schedule's midpoints; jitter may make it one more or less.
    expect(first.length).toBeGreaterThanOrEqual(11);
    expect(first.length).toBeLessThanOrEqual(13);
    const second = await deliveries(endpoint.endpointId, events[1]!.id);
    expect(second[0]!.messageState).toBe('pending');

    const got = await call('billing.webhookEndpointGet', { params: { id: endpoint.endpointId } });
    expect(got.body).toMatchObject({ enabled: false });
    expect(got.body.disabledReason).toMatch(
      /^Every delivery attempt failed since .* \(120 h\); the last one: HTTP 503\.$/,
    );
    expect(got.body.queue.pending).toBe(2);
    const audit = await database(env.DB)
      .select()
      .from(webhookAudit)
      .where(eq(webhookAudit.endpointId, endpoint.endpointId));
    expect(audit.find((r) => r.action === 'endpoint.disable')).toMatchObject({
      actorType: 'system',
      detail: { reason: got.body.disabledReason },
    });
    expect(warn.mock.calls.some(([line]) => String(line).includes('webhook endpoint disabled'))).toBe(true);
    warn.mockRestore();

    // Disabled: new events are not queued, retries stop.
    await notify(subscriptionCreated());
    const before = (await received(endpoint.name)).length;
    await advance(endpoint.endpointId, 24 * HOUR);
    await settle(endpoint.endpointId);
    expect((await received(endpoint.name)).length).toBe(before);
    expect((await queueOf(endpoint.endpointId).status()).pending).toBe(2);

    // Enabled again (the receiver is fixed): the waiting messages go out, in order.
    await receiverMode(endpoint.name, 'up');
    const on = await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { enabled: true },
    });
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null });
    await settle(endpoint.endpointId);
    expect(ids(await accepted(endpoint.name))).toEqual([events[1]!.id, events[2]!.id]);
  });

  it('a failed message is not redelivered while the endpoint is disabled', async () => {
    const endpoint = await createEndpoint(undefined, 'down');
    await notify(subscriptionCreated());
    await settle(endpoint.endpointId);
    const [attempt] = await deliveries(endpoint.endpointId);
    await call('billing.webhookEndpointUpdate', {
      params: { id: endpoint.endpointId },
      body: { enabled: false },
    });
    const reply = await call('billing.webhookRedeliver', {
      params: { id: endpoint.endpointId, deliveryId: attempt!.deliveryId },
    });
    expect(reply.status).toBe(409);
  });
});
