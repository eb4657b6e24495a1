/**
 * Calls the profile Worker as the gateway does (RPC `handle`, with the shared RPC test client),
 * feeds it events as its queue would (`deliver`), and reads what it left behind (rows, outbox).
 * Published events go to queues nobody consumes in these tests (test/service-project.ts).
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Envelope, EventData, EventType } from '../../../../../queues/events.ts';
import { envelope } from '../../../../../queues/publish.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import type { Env } from '../../src/config.ts';
import { contract } from '../../src/contract.ts';
import ProfileService from '../../src/index.ts';

export const service = (exports as unknown as { default: ProfileService }).default;
export const testEnv = env as unknown as Env;
export const ORIGIN = 'http://platform.test';
export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);
type RouteId = Parameters<typeof client.call>[0];

export function call(routeId: RouteId, input: Partial<RouteInput> = {}, who: Caller = admin) {
  return client.call(routeId, input, who);
}

/** A fresh viewer (a caller as the gateway resolves it) with a unique id. */
export function newViewer(tag = 'v'): Caller & { userId: string } {
  return testCaller(ORIGIN, `usr_${tag}_${crypto.randomUUID().slice(0, 12)}`, ['viewer']) as Caller & {
    userId: string;
  };
}

let messageSeq = 0;
/** Hands envelopes to the Worker's queue() as one batch of its queue; answers the ack/retry outcome. */
export async function deliver(envelopes: Envelope[], queue = 'profile-events') {
  const batch = createMessageBatch(
    queue,
    envelopes.map((body) => ({ id: `msg-${++messageSeq}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await new ProfileService(ctx, testEnv).queue(batch);
  await waitOnExecutionContext(ctx);
  return getQueueResult(batch, ctx);
}

/** An event as its producer would send it, dated `time` (ISO) when given. */
export function event<T extends EventType>(
  type: T,
  subject: string,
  data: EventData<T>,
  time?: string,
): Envelope<T> {
  const e = envelope(type, subject, data, { source: 'test' }) as Envelope<T>;
  return time ? { ...e, time } : e;
}

/** Delivers events one by one (each its own batch), in the order given. */
export async function deliverAll(...events: Envelope[]) {
  for (const e of events) {
    const result = await deliver([e]);
    expect(result.retryMessages, JSON.stringify(result)).toEqual([]);
  }
}

/** A user whose account exists: UserRegistered delivered. */
export async function registeredViewer(name = 'Ada Lovelace') {
  const who = newViewer();
  await deliverAll(
    event('UserRegistered', who.userId, {
      userId: who.userId,
      email: `${who.userId}@example.com`,
      name,
      roles: ['viewer'],
      provider: 'password',
    }),
  );
  return who;
}

/** A video the service learnt of from events: published (`ready`) unless said otherwise. */
export async function knownVideo(
  over: { title?: string; durationSec?: number | null; status?: string } = {},
): Promise<string> {
  const videoId = `vid_${crypto.randomUUID().slice(0, 16)}`;
  const { title = 'A film', durationSec = 600, status = 'ready' } = over;
  await deliverAll(
    event('VideoCreated', videoId, {
      videoId,
      title,
      description: '',
      tags: [],
      genres: [],
      status,
      ...(durationSec !== null ? { durationSec } : {}),
    }),
  );
  return videoId;
}

export async function outbox<T extends EventType>(type: T, userId?: string): Promise<Envelope<T>[]> {
  const { results } = await testEnv.DB.prepare(
    'SELECT envelope FROM outbox WHERE type = ? ORDER BY created_at, rowid',
  )
    .bind(type)
    .all<{ envelope: string }>();
  return results
    .map((r) => JSON.parse(r.envelope) as Envelope<T>)
    .filter((e) => !userId || (e.data as { userId?: string }).userId === userId);
}

export async function count(table: string, where: string, ...binds: unknown[]): Promise<number> {
  const row = await testEnv.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The distinct issue paths a schema reports for a value (what the gateway turns into a 400's `errors`). */
export function refusedAt(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } },
  value: unknown,
): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : [...new Set(r.error?.issues.map((i) => i.path.join('.')) ?? [])];
}
