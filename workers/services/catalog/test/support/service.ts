/**
 * Calls the catalog Worker as the gateway does (RPC `handle`) and feeds its queue handler with
 * real event envelopes, as the catalog-events queue would.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Envelope, EventData, EventType } from '../../../../../queues/events.ts';
import { envelope } from '../../../../../queues/publish.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { contract } from '../../src/contract.ts';
import CatalogService from '../../src/index.ts';

export const testEnv = env;
export const service = exports.default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);

export function call(
  routeId: Parameters<typeof client.call>[0],
  input: Partial<RouteInput> = {},
  who: Caller = anonymous,
) {
  return client.call(routeId, input, who);
}

/** An envelope as a producer would send it, at `time` (now by default). */
export function event<T extends EventType>(type: T, data: EventData<T>, time?: Date): Envelope<T> {
  const e = envelope(type, (data as { videoId: string }).videoId, data, { source: 'test' });
  return time ? { ...e, time: time.toISOString() } : e;
}

let messageSeq = 0;
/** Delivers envelopes to the Worker's queue() as one batch from catalog-events. */
export async function deliver(envelopes: unknown[]) {
  const batch = createMessageBatch(
    'catalog-events',
    envelopes.map((body) => ({ id: `msg-${++messageSeq}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await new CatalogService(ctx, testEnv).queue(batch);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages, 'no message is retried').toEqual([]);
  return result;
}

/** Search as the gateway would hand it over; answers the parsed reply. */
export async function search(query: Record<string, unknown>, who: Caller = anonymous) {
  const reply = await call('catalog.search', { query }, who);
  return reply as {
    status: number;
    body: { videoId: string; title: string; score: number; highlight: string }[];
    total?: number;
    headers?: Record<string, string>;
    problem?: { status: number; detail: string };
  };
}

export async function titles(q: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const r = await search({ q, ...extra });
  expect(r.status, JSON.stringify(r.problem)).toBe(200);
  return r.body.map((h) => h.title);
}
