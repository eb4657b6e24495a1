/**
 * Calls into the videos Worker as the gateway does (RPC `handle`, `masterStored`, `queue`), and
 * reads what it left behind (rows, outbox events, R2 objects). Events go to queues nobody consumes
 * in these tests (vitest.config.ts); `deliverEvents` hands them to queue() explicitly.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Envelope, EventType } from '../../../../../queues/events.ts';
import type { Caller, RouteInput } from '../../../../lib/api.ts';
import { rpcClient, testCaller } from '../../../../lib/testing/rpc-client.ts';
import type { Env } from '../../src/config.ts';
import { contract } from '../../src/contract.ts';
import VideosService from '../../src/index.ts';
import type { MasterStoredResult } from '../../src/storage-rpc.ts';

export const testEnv = env;
export const ORIGIN = 'http://platform.test';

/** The videos Worker's entrypoint over RPC, typed from its class (wrangler types' mainModule). */
export const service = exports.default;

export const admin = testCaller(ORIGIN, 'usr_admin', ['admin']);
export const viewer = testCaller(ORIGIN, 'usr_viewer', ['viewer']);
export const anonymous = testCaller(ORIGIN);

const client = rpcClient(contract, () => service);
type RouteId = Parameters<typeof client.call>[0];

export function call(routeId: RouteId, input: Partial<RouteInput> = {}, who: Caller = admin) {
  return client.call(routeId, input, who);
}

/** The same call, against a Worker built on another env (e.g. UPLOAD_MODE=s3). */
export function callWith(
  workerEnv: Env,
  routeId: RouteId,
  input: Partial<RouteInput> = {},
  who: Caller = admin,
) {
  return client.call(routeId, input, who, new VideosService(createExecutionContext(), workerEnv));
}

export async function createVideo(body: Record<string, unknown> = {}): Promise<any> {
  const res = await call('videos.create', {
    body: { title: 'A film', description: 'About things', tags: [], genres: [], ...body },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Stores a master as the gateway's storage endpoint would, and reports it. */
export async function uploadMaster(
  videoId: string,
  content: string | Uint8Array = 'not really a video',
  contentType = 'video/mp4',
): Promise<{ uploadId: string; key: string; result: MasterStoredResult }> {
  const upload = await call('videos.upload', { params: { id: videoId }, body: { contentType } });
  expect(upload.status).toBe(200);
  const uploadId = upload.body.uploadId as string;
  const key = `masters/${videoId}/${uploadId}`;
  const stored = await testEnv.MEDIA.put(key, content, { httpMetadata: { contentType } });
  const result = await service.masterStored({
    videoId,
    key,
    size: stored!.size,
    etag: stored!.etag,
    contentType,
  });
  return { uploadId, key, result };
}

export interface OutboxEvent {
  id: string;
  type: EventType;
  subject: string;
  envelope: Envelope;
  sentAt: number | null;
}

export async function outbox(type?: EventType, subject?: string): Promise<OutboxEvent[]> {
  const { results } = await testEnv.DB.prepare(
    'SELECT id, type, subject, envelope, sent_at FROM outbox ORDER BY created_at, rowid',
  ).all<{ id: string; type: EventType; subject: string; envelope: string; sent_at: number | null }>();
  return results
    .filter((r) => (!type || r.type === type) && (!subject || r.subject === subject))
    .map((r) => ({
      id: r.id,
      type: r.type,
      subject: r.subject,
      envelope: JSON.parse(r.envelope),
      sentAt: r.sent_at,
    }));
}

let messageSeq = 0;
/** Delivers envelopes to the Worker's queue() as a batch from `queue`; answers the ack/retry outcome. */
export async function deliver(envelopes: unknown[], queue = 'videos-events') {
  const batch = createMessageBatch(
    queue,
    envelopes.map((body) => ({ id: `msg-${++messageSeq}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await new VideosService(ctx, testEnv).queue(batch);
  return getQueueResult(batch, ctx);
}

/** Delivers every outbox event of a type about a video, as the queue would. */
export async function deliverEvents(type: EventType, videoId: string) {
  const events = await outbox(type, videoId);
  expect(events.length).toBeGreaterThan(0);
  return deliver(events.map((e) => e.envelope));
}

export async function auditRows(videoId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT action, actor_id, actor_type, before, after, request_id FROM audit_log WHERE video_id = ? ORDER BY at, rowid',
  )
    .bind(videoId)
    .all<{
      action: string;
      actor_id: string;
      actor_type: string;
      before: string | null;
      after: string | null;
    }>();
  return results.map((r) => ({
    ...r,
    before: r.before ? JSON.parse(r.before) : null,
    after: r.after ? JSON.parse(r.after) : null,
  }));
}

/** Polls `check` until it holds (work the Worker finishes after answering, e.g. deleting objects). */
export async function waitFor(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
