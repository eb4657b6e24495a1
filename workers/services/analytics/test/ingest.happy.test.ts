import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MAX_SEND_BYTES } from '../src/ingest.ts';
import type { ClientBatch } from '../src/rows.ts';
import { admin, call, recordingQueue, storeEnv } from './support/service.ts';

const at = new Date().toISOString();

describe('POST /events', () => {
  it('answers 202 with every event id once the batch is on the queue, packed within the queue limits', async () => {
    const { queue, sent } = recordingQueue();
    const body = Array.from({ length: 1000 }, (_, i) => ({
      ...(i % 2 ? { eventId: `client_${i}` } : {}),
      userId: `usr_${i % 7}`,
      eventType: 'heartbeat',
      timestamp: at,
      metadata: { viewId: `view_${i % 13}`, videoId: 'vid_1', note: 'é'.repeat(400) },
    }));
    const res = await call('analytics.ingest', { body }, admin, {
      ...storeEnv('d1'),
      Q_ANALYTICS_EVENTS: queue,
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1000);
    expect(res.body.eventIds[1]).toBe('client_1');
    expect(new Set(res.body.eventIds).size).toBe(1000);
    const messages = sent.flat();
    expect(messages.length).toBeGreaterThan(1);
    const bytes = (b: unknown) => new TextEncoder().encode(JSON.stringify(b)).length;
    for (const m of messages) expect(bytes(m.body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    for (const send of sent) {
      expect(send.length).toBeLessThanOrEqual(100);
      expect(send.reduce((s, m) => s + bytes(m.body), 0)).toBeLessThanOrEqual(MAX_SEND_BYTES);
    }
    // In order, each event once, with the ids answered.
    const queued = messages.flatMap((m) => (m.body as ClientBatch).events.map((e) => e.eventId));
    expect(queued).toEqual(res.body.eventIds);
  });

  it('a retry with the same Idempotency-Key stamps the same ids, so the events count once', async () => {
    const body = [
      { userId: 'usr_1', eventType: 'custom.a', timestamp: at },
      { userId: 'usr_1', eventType: 'custom.b', timestamp: at },
    ];
    const send = async (key?: string) =>
      (
        await call('analytics.ingest', { body, headers: key ? { 'idempotency-key': key } : {} }, admin, {
          ...storeEnv('d1'),
          Q_ANALYTICS_EVENTS: recordingQueue().queue,
        })
      ).body.eventIds;
    expect(await send('k-1')).toEqual(await send('k-1'));
    expect(await send('k-1')).not.toEqual(await send('k-2'));
    expect(await send()).not.toEqual(await send());
  });

  it('answers 503 and accepts nothing when the queue refuses the batch', async () => {
    const { queue } = recordingQueue(true);
    const res = await call(
      'analytics.ingest',
      { body: [{ userId: 'usr_1', eventType: 'custom.a', timestamp: at }] },
      admin,
      {
        ...storeEnv('d1'),
        Q_ANALYTICS_EVENTS: queue,
      },
    );
    expect(res.status).toBe(503);
    expect(res.problem?.headers?.['Retry-After']).toBe('1');
  });
});
