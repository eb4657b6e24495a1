/**
 * Calls the recs Worker as the gateway does (RPC `handle`, `queue`), builds event envelopes for
 * its consumer, and seeds a catalogue and interactions through those events.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Envelope, EventData, EventType } from '../../../../../queues/events.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, TEST_TRACEPARENT, testCaller } from '../../../../lib/testing/rpc-client.ts';
import { contract } from '../../src/contract.ts';
import RecsService from '../../src/index.ts';

export const testEnv = env;
export const service = exports.default;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);
export const as = (userId: string) => testCaller(ORIGIN, userId, ['viewer']);

const client = rpcClient(contract, () => service);

export function call(
  routeId: Parameters<typeof client.call>[0],
  input: Partial<RouteInput> = {},
  who: Caller = admin,
) {
  return client.call(routeId, input, who);
}

let seq = 0;
/** A valid envelope of `type`; `time` defaults to now plus a tick, so later events are newer. */
export function event<T extends EventType>(type: T, data: EventData<T>, time?: number): Envelope<T> {
  seq++;
  return {
    id: `evt_${Date.now()}_${seq}_${Math.random().toString(36).slice(2)}`,
    type,
    time: new Date(time ?? Date.now() + seq).toISOString(),
    source: 'test',
    subject: 'test',
    traceparent: TEST_TRACEPARENT,
    data,
  };
}

let messageSeq = 0;
/** Delivers envelopes to the Worker's queue() as a batch from recs-events; answers the ack/retry outcome. */
export async function deliver(envelopes: unknown[]) {
  const batch = createMessageBatch(
    'recs-events',
    envelopes.map((body) => ({ id: `msg-${++messageSeq}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await new RecsService(ctx, testEnv).queue(batch);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
  return result;
}

/** Ready videos `<prefix>_<n>` with the given genre (VideoCreated, then VideoTranscoded). */
export async function seedVideos(prefix: string, count: number, genre: string, status = 'ready') {
  const ids = Array.from({ length: count }, (_, n) => `${prefix}_${n}`);
  const events: Envelope[] = [];
  for (const videoId of ids) {
    events.push(
      event('VideoCreated', {
        videoId,
        title: `Title ${videoId}`,
        description: '',
        tags: [],
        genres: [genre],
        status: 'pending',
      }),
    );
    if (status === 'ready')
      events.push(
        event('VideoTranscoded', { videoId, jobId: `job_${videoId}`, durationSec: 60, renditions: [] }),
      );
  }
  await deliver(events);
  return ids;
}

/** `userId` finished each of `videoIds` (the strongest signal). */
export async function watchAll(userId: string, videoIds: string[], time?: number) {
  await deliver(
    videoIds.map((videoId, n) =>
      event('VideoWatched', { userId, videoId, progress: 60, completed: true }, time ? time + n : undefined),
    ),
  );
}

/** Starts a training and waits until it ends (the job runs after the 202). */
export async function trainAndWait(modelType: string) {
  const r = await call('recs.train', { body: { modelType } });
  expect(r.status, JSON.stringify(r.problem)).toBe(202);
  const jobId = (r.body as { jobId: string }).jobId;
  for (let n = 0; n < 200; n++) {
    const j = await call('recs.trainJob', { params: { jobId } });
    const job = j.body as { status: string; versionId: string | null; error: string | null };
    if (job.status === 'succeeded' || job.status === 'failed') return { jobId, ...job };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`training ${jobId} did not finish`);
}

export type RecList = { videoId: string; score: number; reason: string }[];

export async function recsOf(userId: string, query: Record<string, unknown> = {}, who?: Caller) {
  const r = await call('recs.get', { params: { userId }, query }, who ?? as(userId));
  expect(r.status, JSON.stringify(r.problem)).toBe(200);
  return { list: r.body as RecList, headers: r.headers ?? {} };
}
