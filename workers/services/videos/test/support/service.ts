/**
 * Calls into the videos Worker as the gateway does (RPC `handle`, `masterStored`, `queue`), and
 * reads what it left behind (rows, outbox events, R2 objects). Events go to queues nobody consumes
 * in these tests (vitest.config.ts); `deliverEvents` hands them to queue() explicitly.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Envelope, EventType } from '../../../../../queues/events.ts';
import type { Caller, Reply, RouteInput } from '../../../../lib/api.ts';
import type { Env } from '../../src/config.ts';
import { routes } from '../../src/contract.ts';
import VideosService from '../../src/index.ts';
import type { MasterStoredInput, MasterStoredResult } from '../../src/storage-rpc.ts';

export const testEnv = env as unknown as Env;
export const ORIGIN = 'http://platform.test';

interface VideosRpc {
  handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply>;
  masterStored(input: MasterStoredInput, traceparent?: string): Promise<MasterStoredResult>;
}
export const service = (exports as unknown as { default: VideosRpc }).default;

function caller(userId: string | undefined, roles: Caller['roles']): Caller {
  return {
    requestId: `req-${crypto.randomUUID()}`,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ip: '198.51.100.7',
    roles,
    origin: ORIGIN,
    ...(userId ? { userId } : {}),
  };
}

export const admin = caller('usr_admin', ['admin']);
export const viewer = caller('usr_viewer', ['viewer']);
export const anonymous = caller(undefined, []);

type Schema = { parse(v: unknown): unknown } | undefined;

/**
 * The input as the gateway hands it over: params, query and body parsed by the route's own zod
 * schemas (defaults applied, strings coerced), since the service trusts the gateway to do that.
 */
function asGatewayWould(routeId: string, input: Partial<RouteInput>): RouteInput {
  const route = routes.find((r) => r.id === routeId);
  if (!route) throw new Error(`no route ${routeId}`);
  const request = route.route.request as
    | { params?: Schema; query?: Schema; body?: { content: { 'application/json': { schema: Schema } } } }
    | undefined;
  const bodySchema = request?.body?.content['application/json'].schema;
  return {
    params: (request?.params?.parse(input.params ?? {}) ?? {}) as Record<string, string>,
    query: (request?.query?.parse(input.query ?? {}) ?? {}) as Record<string, unknown>,
    body: bodySchema && input.body !== undefined ? bodySchema.parse(input.body) : input.body,
    headers: input.headers ?? {},
  };
}

export async function call(
  routeId: string,
  input: Partial<RouteInput> = {},
  who: Caller = admin,
): Promise<Reply & { body: any }> {
  const reply = await service.handle(routeId, asGatewayWould(routeId, input), who);
  return reply as Reply & { body: any };
}

/** The same call, against a Worker built on another env (e.g. UPLOAD_MODE=s3). */
export async function callWith(
  workerEnv: Env,
  routeId: string,
  input: Partial<RouteInput> = {},
  who: Caller = admin,
): Promise<Reply & { body: any }> {
  const worker = new VideosService(createExecutionContext(), workerEnv);
  return (await worker.handle(routeId, asGatewayWould(routeId, input), who)) as Reply & { body: any };
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
