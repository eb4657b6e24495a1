/** Calls the analytics Worker as the gateway and the queue do, against either store. */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { EVENT_DATA, type EventType } from '../../../../../queues/events.ts';
import { envelope } from '../../../../../queues/publish.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import type { Env } from '../../src/config.ts';
import { contract } from '../../src/contract.ts';
import AnalyticsService from '../../src/index.ts';

export const service = (exports as unknown as { default: AnalyticsService }).default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);
export const { asGatewayWould } = client;

export type StoreKind = 'd1' | 'clickhouse';
export const STORES: StoreKind[] = ['d1', 'clickhouse'];

const workerEnv = env as unknown as Env & { TEST_CLICKHOUSE_URL: string };

/**
 * The Worker's environment with one store: D1 (no CLICKHOUSE_URL), or the run's ClickHouse server
 * with a database of this test's own, so that tests never see each other's events.
 */
export function storeEnv(kind: StoreKind, over: Partial<Env> & Record<string, unknown> = {}): Env {
  const database = `test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return {
    ...workerEnv,
    CLICKHOUSE_URL: kind === 'clickhouse' ? workerEnv.TEST_CLICKHOUSE_URL : '',
    CLICKHOUSE_DATABASE: database,
    CLICKHOUSE_TIMEOUT_MS: '3000',
    ...over,
  } as Env;
}

/** D1 holds one table for every test of a file: each D1 test starts from an empty store. */
export async function clearD1(): Promise<void> {
  await workerEnv.DB.prepare('DELETE FROM analytics_events').run();
}

export function call(
  routeId: Parameters<typeof client.call>[0],
  input: Partial<RouteInput> = {},
  who: Caller = admin,
  on: Env = workerEnv,
) {
  const ctx = createExecutionContext();
  return client.call(routeId, input, who, new AnalyticsService(ctx, on));
}

/** The Worker over an environment of the test's choosing. */
export function worker(on: Env): AnalyticsService {
  return new AnalyticsService(createExecutionContext(), on);
}

export interface Delivery {
  id: string;
  body: unknown;
  attempts?: number;
}

/** Hands messages to the Worker's queue handler as the queue would, and reports each outcome. */
export async function deliver(on: Env, messages: Delivery[], queue = 'analytics-events') {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  // The pool records that a message was retried, not its delay: note the delay on the way.
  const delays = new Map<string, number | undefined>();
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    Object.defineProperty(m, 'retry', {
      value: (o?: QueueRetryOptions) => {
        delays.set(m.id, o?.delaySeconds);
        retry(o);
      },
    });
  }
  const ctx = createExecutionContext();
  await new AnalyticsService(ctx, on).queue(batch);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map((r) => ({ ...r, delaySeconds: delays.get(r.msgId) })),
  };
}

/** A valid domain event envelope, as a publishing service would queue it. */
export function domainEvent<T extends EventType>(type: T, data: unknown, time?: string) {
  const e = envelope(type, 'subject', EVENT_DATA[type].parse(data) as never, { source: 'test' });
  return time ? { ...e, time } : e;
}

/** A Queue that records what is sent, or refuses it. */
export function recordingQueue(fail = false) {
  const sent: { body: unknown; bytes: number }[][] = [];
  const queue = {
    async send(body: unknown) {
      if (fail) throw new Error('queue unavailable');
      sent.push([{ body, bytes: JSON.stringify(body).length }]);
    },
    async sendBatch(messages: { body: unknown }[]) {
      if (fail) throw new Error('queue unavailable');
      sent.push(messages.map((m) => ({ body: m.body, bytes: JSON.stringify(m.body).length })));
    },
  };
  return { queue: queue as unknown as Queue, sent };
}
