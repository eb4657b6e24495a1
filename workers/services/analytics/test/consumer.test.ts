import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../src/config.ts';
import { RETRY_BASE_SECONDS } from '../src/consumer.ts';
import type { ClientBatch } from '../src/rows.ts';
import {
  admin,
  call,
  clearD1,
  type Delivery,
  deliver,
  domainEvent,
  recordingQueue,
  STORES,
  service,
  storeEnv,
  worker,
} from './support/service.ts';

const HOUR = 3_600_000;
const T0 = Math.floor((Date.now() - HOUR) / HOUR) * HOUR;
const RANGE = { from: new Date(T0).toISOString(), to: new Date(T0 + HOUR).toISOString(), interval: '1h' };

/** `n` client events (custom.tick) queued as POST /events queues them; their messages. */
async function clientMessages(on: Env, n: number, prefix: string): Promise<Delivery[]> {
  const { queue, sent } = recordingQueue();
  const body = Array.from({ length: n }, (_, i) => ({
    eventId: `${prefix}_${i}`,
    userId: `usr_${i % 10}`,
    eventType: 'custom.tick',
    timestamp: new Date(T0 + i).toISOString(),
    metadata: { i },
  }));
  const res = await call('analytics.ingest', { body }, admin, { ...on, Q_ANALYTICS_EVENTS: queue });
  expect(res.status).toBe(202);
  return sent.flat().map((m, i) => ({ id: `${prefix}-msg-${i}`, body: m.body }));
}

const ticks = async (on: Env) =>
  (await call('analytics.metrics', { query: { type: 'custom.tick', ...RANGE } }, admin, on)).body;

describe.each(STORES)('the consumer on the %s store', (kind) => {
  beforeEach(async () => {
    if (kind === 'd1') await clearD1();
  });

  it('counts every event once however often the queue hands it over', async () => {
    const on = storeEnv(kind);
    const messages = await clientMessages(on, 500, 'a');
    const started = domainEvent(
      'PlaybackStarted',
      { userId: 'usr_1', videoId: 'vid_1', sessionId: 'ses_1' },
      new Date(T0 + 5).toISOString(),
    );
    const all = [...messages, { id: 'dom-1', body: started }];
    expect((await deliver(on, all)).explicitAcks.length).toBe(all.length);
    // Lost acks: the same messages again; a client retry: the same events in new messages.
    await deliver(
      on,
      all.map((m) => ({ ...m, attempts: 2 })),
    );
    await deliver(
      on,
      messages.map((m) => ({ ...m, id: `${m.id}-again` })),
    );
    const { count } = await ticks(on);
    expect(count).toBe(500);
    const playback = await call(
      'analytics.metrics',
      { query: { type: 'PlaybackStarted', ...RANGE } },
      admin,
      on,
    );
    expect(playback.body.count).toBe(1);
  });

  it('a deleted user’s events stay counted but no longer name them', async () => {
    const on = storeEnv(kind);
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const view = (id: string, userId: string) =>
      ['viewStart', 'playing'].map((eventType, i) => ({
        eventId: `${id}_${i}`,
        userId,
        eventType,
        timestamp: at(i * 1000),
        metadata: { viewId: id, videoId: 'vid_1' },
      }));
    const { queue, sent } = recordingQueue();
    await call('analytics.ingest', { body: [...view('v1', 'usr_gone'), ...view('v2', 'usr_kept')] }, admin, {
      ...on,
      Q_ANALYTICS_EVENTS: queue,
    });
    const watched = domainEvent(
      'VideoWatched',
      { userId: 'usr_gone', videoId: 'vid_1', progress: 5, completed: false },
      at(2000),
    );
    await deliver(on, [
      ...sent.flat().map((m, i) => ({ id: `del-${i}`, body: m.body })),
      { id: 'watched', body: watched },
    ]);
    const deleted = domainEvent('UserDeleted', { userId: 'usr_gone' }, at(3000));
    expect((await deliver(on, [{ id: 'deleted', body: deleted }])).explicitAcks).toEqual(['deleted']);
    const viewers = async () =>
      (await call('analytics.metrics', { query: { type: 'uniqueViewers', ...RANGE } }, admin, on)).body.count;
    expect(await viewers()).toBe(2);
    // ClickHouse applies the change as a mutation: it lands shortly after.
    const named = async () => {
      if (kind === 'd1')
        return (await on.DB.prepare(
          "SELECT count(*) AS n FROM analytics_events WHERE user_id = 'usr_gone' OR metadata LIKE '%usr_gone%'",
        ).first<{ n: number }>())!.n;
      const url = `http://clickhouse.test/?database=${(on as unknown as { CLICKHOUSE_DATABASE: string }).CLICKHOUSE_DATABASE}`;
      const res = await fetch(url, {
        method: 'POST',
        body: "SELECT count() FROM events WHERE user_id = 'usr_gone' OR position(metadata, 'usr_gone') > 0",
      });
      return Number(await res.text());
    };
    for (let i = 0; i < 50 && (await named()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await named()).toBe(0);
    expect(await viewers()).toBe(2);
  });

  it('dead-letters a poison message at once and stores the rest of its batch', async () => {
    const on = storeEnv(kind);
    const [good] = await clientMessages(on, 3, 'p');
    const outcome = await deliver(on, [
      good!,
      { id: 'poison', body: { type: 'analytics.events', events: [{ nope: 1 }] } },
    ]);
    expect(outcome.explicitAcks.sort()).toEqual(['p-msg-0', 'poison']);
    expect((await ticks(on)).count).toBe(3);
    const letters = await service.listDeadLetters('analytics-events');
    expect(letters.map((l) => l.id)).toContain('poison');
  });
});

describe('ClickHouse down mid-stream', () => {
  const control = (what: 'stop' | 'start') =>
    fetch(`http://outage.clickhouse-control.test/${what}`, { method: 'POST' });

  it('every batch waits on the queue with back-off while it is down, and counts once when it is back', {
    timeout: 60_000,
  }, async () => {
    const on = storeEnv('clickhouse', { CLICKHOUSE_URL: 'http://outage.clickhouse.test' });
    // The stream: 12 batches of 1,000 events, one consumer delivery each.
    const stream: Delivery[][] = [];
    for (let b = 0; b < 12; b++) stream.push(await clientMessages(on, 1000, `s${b}`));
    const waiting: Delivery[] = [];
    const delays: number[] = [];
    for (const [b, messages] of stream.entries()) {
      if (b === 4) expect((await control('stop')).ok).toBe(true);
      // Whatever waits is handed over again beside the new batch, as the queue does after the delay.
      const due = waiting.splice(0).map((m) => ({ ...m, attempts: (m.attempts ?? 1) + 1 }));
      const outcome = await deliver(on, [...due, ...messages]);
      for (const r of outcome.retryMessages) {
        delays.push(r.delaySeconds!);
        waiting.push([...due, ...messages].find((m) => m.id === r.msgId)!);
      }
      if (b < 4) expect(outcome.retryMessages).toEqual([]);
      else if (b < 8) expect(outcome.explicitAcks).toEqual([]);
      if (b === 7) expect((await control('start')).ok).toBe(true);
    }
    // Back-off: a message's delay doubles with its attempts.
    expect(Math.min(...delays)).toBe(RETRY_BASE_SECONDS);
    expect(Math.max(...delays)).toBe(RETRY_BASE_SECONDS * 2 ** 3);
    expect(waiting).toEqual([]);
    // Some of these were stored before a lost ack: handing them over again changes nothing.
    await deliver(
      on,
      stream[3]!.map((m) => ({ ...m, attempts: 2 })),
    );
    expect((await ticks(on)).count).toBe(12_000);
  });

  it('GET /metrics answers 503 while it is down; POST /events still queues', {
    timeout: 30_000,
  }, async () => {
    const on = storeEnv('clickhouse', { CLICKHOUSE_URL: 'http://outage.clickhouse.test' });
    await control('stop');
    try {
      const res = await call('analytics.metrics', { query: { type: 'plays' } }, admin, on);
      expect(res.status).toBe(503);
      const { queue } = recordingQueue();
      const sent = await call(
        'analytics.ingest',
        { body: [{ userId: 'u', eventType: 'custom.a', timestamp: new Date().toISOString() }] },
        admin,
        { ...on, Q_ANALYTICS_EVENTS: queue },
      );
      expect(sent.status).toBe(202);
    } finally {
      await control('start');
    }
  });

  it('batches whose retries are spent go to the dead-letter queue and count once after a replay', async () => {
    const { queue, sent } = recordingQueue();
    const on = storeEnv('clickhouse', { Q_ANALYTICS_EVENTS: queue });
    const messages = await clientMessages(on, 300, 'dlq');
    // One of them was stored before its ack was lost; the queue then gave up on all of them.
    await deliver(on, [messages[0]!]);
    const dlq = await deliver(
      on,
      messages.map((m) => ({ ...m, attempts: 11 })),
      'analytics-events-dlq',
    );
    expect(dlq.explicitAcks.length).toBe(messages.length);
    const replay = await worker(on).replayDeadLetters('analytics-events');
    expect(replay.replayed).toBeGreaterThanOrEqual(messages.length);
    const replayed = sent.flat().map((m, i) => ({ id: `replayed-${i}`, body: m.body }));
    expect(
      replayed.filter((m) => (m.body as ClientBatch).type === 'analytics.events').length,
    ).toBeGreaterThanOrEqual(messages.length);
    await deliver(on, replayed);
    expect((await ticks(on)).count).toBe(300);
    const pending = (await service.listDeadLetters('analytics-events')).map((l) => l.id);
    expect(pending.filter((id) => id.startsWith('dlq'))).toEqual([]);
  });

  it('a slow ClickHouse counts as down: the batch is retried, and an insert that landed late counts once', {
    timeout: 30_000,
  }, async () => {
    const patient = storeEnv('clickhouse', {
      CLICKHOUSE_URL: 'http://slow.clickhouse.test',
      CLICKHOUSE_TIMEOUT_MS: '10000',
    });
    const hasty = { ...patient, CLICKHOUSE_TIMEOUT_MS: '300' } as Env;
    expect((await ticks(patient)).count).toBe(0);
    const messages = await clientMessages(patient, 1000, 'slow');
    const first = await deliver(hasty, messages);
    expect(first.retryMessages.map((r) => r.delaySeconds)).toEqual(messages.map(() => RETRY_BASE_SECONDS));
    const second = await deliver(
      patient,
      messages.map((m) => ({ ...m, attempts: 2 })),
    );
    expect(second.explicitAcks.length).toBe(messages.length);
    expect((await ticks(patient)).count).toBe(1000);
  });
});
