/**
 * A hand-computed fixture for the metrics: five views over two hourly buckets, domain events, and
 * duplicates (a whole message delivered twice). The expected figures are worked out by hand in
 * metrics.test.ts from the definitions in README "Analytics".
 */
import type { Env } from '../../src/config.ts';
import { admin, call, type Delivery, deliver, domainEvent, recordingQueue } from './service.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
/** An hour boundary two days back: inside the week POST /events accepts. */
export const T0 = Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR;
const at = (ms: number) => new Date(T0 + ms).toISOString();

type Ev = { eventType: string; userId: string; at: number; metadata?: Record<string, unknown> };

function view(
  viewId: string,
  userId: string,
  videoId: string,
  start: number,
  rest: Omit<Ev, 'userId'>[],
): Ev[] {
  return [
    { eventType: 'viewStart', userId, at: start },
    ...rest.map((e) => ({ ...e, userId, at: start + e.at })),
  ].map((e) => ({ ...e, metadata: { viewId, videoId, ...e.metadata } }));
}

export const VIEWS = {
  // Bucket 1: started at 1 s, stalled 2 s, watched 100 s.
  A: view('view_a', 'usr_1', 'vid_1', 0, [
    { eventType: 'playerReady', at: 200 },
    { eventType: 'playing', at: 1000 },
    { eventType: 'rebuffer.start', at: 58_000 },
    { eventType: 'rebuffer.end', at: 60_000, metadata: { durationMs: 2000 } },
    { eventType: 'playing', at: 60_001 },
    { eventType: 'viewEnd', at: 120_000, metadata: { watchTimeMs: 100_000 } },
  ]),
  // Bucket 1: started at 3 s, watched 50 s.
  B: view('view_b', 'usr_2', 'vid_1', 10 * MIN, [
    { eventType: 'playing', at: 3000 },
    { eventType: 'pause', at: 20_000 },
    { eventType: 'viewEnd', at: 60_000, metadata: { watchTimeMs: 50_000 } },
  ]),
  // Bucket 1: a fatal error before the first frame.
  C: view('view_c', 'usr_1', 'vid_2', 20 * MIN, [
    { eventType: 'error', at: 5000, metadata: { code: 'MEDIA_ERR_DECODE' } },
    { eventType: 'viewEnd', at: 6000, metadata: { watchTimeMs: 0 } },
  ]),
  // Bucket 1: the viewer left before the first frame, without an error.
  D: view('view_d', 'usr_3', 'vid_1', 30 * MIN, [
    { eventType: 'viewEnd', at: 8000, metadata: { watchTimeMs: 0 } },
  ]),
  // Bucket 2: started at 2 s, stalled 1 s + 0.5 s, watched 30 s.
  E: view('view_e', 'usr_3', 'vid_2', HOUR + 5 * MIN, [
    { eventType: 'playing', at: 2000 },
    { eventType: 'rebuffer.end', at: 10_000, metadata: { durationMs: 1000 } },
    { eventType: 'rebuffer.end', at: 20_000, metadata: { durationMs: 500 } },
    { eventType: 'viewEnd', at: 32_000, metadata: { watchTimeMs: 30_000 } },
  ]),
};

/** The range the fixture fills: two hourly buckets. */
export const RANGE = { from: at(0), to: at(2 * HOUR), interval: '1h' as const };

/** The client batches POST /events queues for the fixture's events, as queue messages. */
async function clientMessages(on: Env): Promise<unknown[]> {
  const { queue, sent } = recordingQueue();
  const events = Object.values(VIEWS)
    .flat()
    .map((e) => ({ userId: e.userId, eventType: e.eventType, timestamp: at(e.at), metadata: e.metadata }));
  const res = await call('analytics.ingest', { body: events }, admin, { ...on, Q_ANALYTICS_EVENTS: queue });
  if (res.status !== 202) throw new Error(`ingest refused the fixture: ${JSON.stringify(res.body)}`);
  return sent.flat().map((m) => m.body);
}

/** Stores the fixture through the consumer, with redeliveries that must count once. */
export async function loadFixture(on: Env): Promise<void> {
  const clients = await clientMessages(on);
  const registered = [
    domainEvent(
      'UserRegistered',
      { userId: 'usr_1', email: 'a@example.com', name: 'A', roles: ['viewer'] },
      at(MIN),
    ),
    domainEvent(
      'UserRegistered',
      { userId: 'usr_2', email: 'b@example.com', name: 'B', roles: ['viewer'] },
      at(2 * MIN),
    ),
  ];
  const failed = domainEvent(
    'PlaybackFailed',
    { userId: 'usr_2', videoId: 'vid_1', code: 'no_entitlement' },
    at(40 * MIN),
  );
  const messages: Delivery[] = [
    ...clients.map((body, i) => ({ id: `client-${i}`, body })),
    ...registered.map((body, i) => ({ id: `reg-${i}`, body })),
    { id: 'failed', body: failed },
  ];
  let outcome = await deliver(on, messages);
  if (outcome.retryMessages.length) throw new Error('the fixture did not store');
  // At least once: the queue hands the same messages again (a lost ack); nothing may count twice.
  outcome = await deliver(
    on,
    [messages[0]!, messages.at(-2)!, messages.at(-1)!].map((m) => ({ ...m, attempts: 2 })),
  );
  if (outcome.retryMessages.length) throw new Error('the redelivery did not store');
}
