/**
 * A small stand-in for the videos service and its storage, speaking runner-protocol.ts: job claims
 * with leases, heartbeat/complete/fail/abort (bodies validated with the protocol's schemas), a master
 * served with HTTP Range, and a PUT prefix that records every uploaded file. Knobs let a test drop
 * the master connection, refuse updates with 409, fail PUTs, or play dead.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
  AbortRequest,
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  type Job,
  type JobOperation,
  type LadderRung,
  RUNNER_PATHS,
} from '../../../../workers/lib/runner-protocol.ts';

/** A runner token the fake service knows from the start (a runner registered before). */
export const RUNNER_TOKEN = 'test-runner-token';
/** The registration token the fake service accepts, once per runner it registers. */
export const REGISTRATION_TOKEN = 'test-registration-token';

export type CallKind = 'register' | 'claim' | JobOperation;

export interface RecordedCall {
  kind: CallKind;
  jobId?: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
  /** The runner token the call bore. */
  token?: string | undefined;
}

export interface StoredFile {
  body: Buffer;
  contentType: string;
  order: number;
}

export interface MasterRequest {
  jobId: string;
  range: string | undefined;
  status: number;
}

export interface Knobs {
  /** Status for a heartbeat (default 200); return 409 to take the lease away. */
  heartbeatStatus?: (body: z.infer<typeof HeartbeatRequest>) => number;
  /** Cut the first master response after this many bytes. */
  dropMasterAfterBytes?: number;
  /** Answer this many PUTs with 503 before accepting. */
  failPuts?: number;
  /** Destroy every API socket, as if the service were unreachable. */
  down?: boolean;
}

export interface JobSpec {
  masterPath: string;
  ladder?: readonly LadderRung[];
  limits?: Partial<Job['limits']>;
  heartbeatSeconds?: number;
  /** Size announced in the job; the real file size by default. */
  size?: number;
  /** The video's content key, as the videos service adds it from playback. */
  encryption?: Job['encryption'];
}

export const SMALL_LADDER: LadderRung[] = [
  { name: '360p', height: 360, videoBitrateKbps: 800, maxrateKbps: 1200, audioBitrateKbps: 96 },
  { name: '240p', height: 240, videoBitrateKbps: 400, maxrateKbps: 600, audioBitrateKbps: 64 },
];

export interface FakeVideosApi {
  url: string;
  knobs: Knobs;
  calls: RecordedCall[];
  /** `<jobId>/<relative path>` → file. */
  stored: Map<string, StoredFile>;
  masterRequests: MasterRequest[];
  enqueue(spec: JobSpec): Job;
  callsOf(kind: CallKind): RecordedCall[];
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeVideosApi(): Promise<FakeVideosApi> {
  const knobs: Knobs = {};
  const calls: RecordedCall[] = [];
  const stored = new Map<string, StoredFile>();
  const masterRequests: MasterRequest[] = [];
  const runnerTokens = new Set([RUNNER_TOKEN]);
  const queue: Job[] = [];
  const jobs = new Map<string, { job: Job; masterPath: string }>();
  let masterDropped = false;
  let sequence = 0;
  let base = '';

  const record = (
    kind: CallKind,
    jobId: string | undefined,
    body: Record<string, unknown>,
    status: number,
    token?: string,
  ) => calls.push({ kind, jobId, body, status, at: Date.now(), token });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const body = await readBody(req);

    if (url.pathname.startsWith('/runners/')) {
      if (knobs.down) return void req.socket.destroy();
      const json = body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
      if (req.method === 'POST' && url.pathname === RUNNER_PATHS.register) {
        if (json.registrationToken !== REGISTRATION_TOKEN) {
          record('register', undefined, json, 401);
          return send(res, 401, { error: 'bad registration token' });
        }
        const runnerId = `rnr-${runnerTokens.size}`;
        const runnerToken = `issued-token-${runnerTokens.size}`;
        runnerTokens.add(runnerToken);
        record('register', undefined, json, 201);
        return send(res, 201, { runnerId, runnerToken });
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !runnerTokens.has(bearer)) return send(res, 401, { error: 'bad token' });

      if (req.method === 'POST' && url.pathname === RUNNER_PATHS.claim) {
        const job = queue.shift();
        record('claim', job?.jobId, json, job ? 200 : 204, bearer);
        return job ? send(res, 200, { job }) : send(res, 204);
      }
      const match = url.pathname.match(/^\/runners\/jobs\/([^/]+)\/(heartbeat|complete|fail|abort)$/);
      const entry = match ? jobs.get(decodeURIComponent(match[1] ?? '')) : undefined;
      if (!match || !entry || req.method !== 'POST') return send(res, 404, { error: 'no such job' });
      const kind = match[2] as JobOperation;
      const schema = {
        heartbeat: HeartbeatRequest,
        complete: CompleteRequest,
        fail: FailRequest,
        abort: AbortRequest,
      }[kind];
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        record(kind, entry.job.jobId, json, 400);
        return send(res, 400, { error: parsed.error.message });
      }
      if (json.leaseToken !== entry.job.leaseToken) {
        record(kind, entry.job.jobId, json, 409);
        return send(res, 409, { error: 'lease lost' });
      }
      if (kind === 'heartbeat') {
        const status = knobs.heartbeatStatus?.(parsed.data as z.infer<typeof HeartbeatRequest>) ?? 200;
        record(kind, entry.job.jobId, json, status);
        const leaseExpiresAt = new Date(Date.now() + entry.job.heartbeatSeconds * 3000).toISOString();
        return status === 200
          ? send(res, 200, { leaseExpiresAt })
          : send(res, status, { error: 'lease lost' });
      }
      record(kind, entry.job.jobId, json, 204);
      return send(res, 204);
    }

    const master = url.pathname.match(/^\/masters\/([^/]+)$/);
    if (master && req.method === 'GET') return serveMaster(decodeURIComponent(master[1] ?? ''), req, res);

    const store = url.pathname.match(/^\/store\/([^/]+)\/(.+)$/);
    if (store && req.method === 'PUT') {
      if (knobs.failPuts && knobs.failPuts > 0) {
        knobs.failPuts--;
        return send(res, 503, { error: 'try again' });
      }
      const key = `${decodeURIComponent(store[1] ?? '')}/${decodeURIComponent(store[2] ?? '')}`;
      stored.set(key, { body, contentType: req.headers['content-type'] ?? '', order: stored.size });
      return send(res, 201);
    }
    return send(res, 404, { error: 'not found' });
  };

  const serveMaster = (jobId: string, req: IncomingMessage, res: ServerResponse) => {
    const entry = jobs.get(jobId);
    if (!entry) {
      masterRequests.push({ jobId, range: req.headers.range, status: 404 });
      return send(res, 404);
    }
    const size = statSync(entry.masterPath).size;
    const range = req.headers.range?.match(/^bytes=(\d+)-$/);
    const start = range ? Number(range[1]) : 0;
    const status = range ? 206 : 200;
    masterRequests.push({ jobId, range: req.headers.range, status });
    res.writeHead(status, {
      'content-type': 'video/mp4',
      'content-length': String(size - start),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const stream = createReadStream(entry.masterPath, { start });
    const dropAt = knobs.dropMasterAfterBytes;
    if (dropAt !== undefined && !masterDropped) {
      masterDropped = true;
      let sent = 0;
      stream.on('data', (chunk) => {
        const piece = chunk as Buffer;
        if (sent + piece.length >= dropAt) {
          res.write(piece.subarray(0, dropAt - sent));
          stream.destroy();
          // Mid-body, after the client had time to store what it got: it sees a truncated response.
          setTimeout(() => res.socket?.destroy(), 200);
          return;
        }
        sent += piece.length;
        res.write(piece);
      });
      return;
    }
    stream.pipe(res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    knobs,
    calls,
    stored,
    masterRequests,
    enqueue(spec) {
      sequence++;
      const jobId = `job-${sequence}`;
      const job: Job = {
        jobId,
        videoId: `video-${sequence}`,
        type: 'vod-hls-transcoding',
        attempt: 1,
        leaseToken: `lease-${sequence}`,
        leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
        heartbeatSeconds: spec.heartbeatSeconds ?? 10,
        input: {
          url: `${base}/masters/${jobId}`,
          size: spec.size ?? statSync(spec.masterPath).size,
          contentType: 'video/mp4',
        },
        output: { urlPrefix: `${base}/store/${jobId}/`, maxFileBytes: 50_000_000 },
        ladder: [...(spec.ladder ?? SMALL_LADDER)],
        segmentSeconds: 2,
        limits: {
          maxDurationSec: 600,
          maxInputBytes: 500_000_000,
          maxWidth: 3840,
          maxHeight: 2160,
          ...spec.limits,
        },
        ...(spec.encryption ? { encryption: spec.encryption } : {}),
      };
      jobs.set(jobId, { job, masterPath: spec.masterPath });
      queue.push(job);
      return job;
    },
    callsOf: (kind) => calls.filter((c) => c.kind === kind),
    async waitFor(what, predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (res.headersSent) return void res.end();
  if (body === undefined || status === 204) return void res.writeHead(status).end();
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
