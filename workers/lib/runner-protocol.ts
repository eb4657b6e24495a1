/**
 * The remote-runner protocol between the videos service and transcoder runners: the schemas of
 * every request and response, the job payload and the default ladder. Both sides import this one
 * file (the videos Worker for its routes, origin/transcoder for its client), so it imports nothing
 * but zod and the shared text rule.
 *
 * A runner registers once with a registration token an admin created, and gets its own runner
 * token; it then authenticates every call with it (`Authorization: Bearer <runner token>`), never
 * with a user token, and is known to the service by that token alone. Every call after the claim
 * carries the job's `leaseToken`; a runner whose lease was lost (expired, reclaimed, the job
 * cancelled) gets 409 and must drop the job.
 *
 * One verb per operation, the same in the path, the route id, the videos service's handler and
 * domain function (jobs.ts, runners.ts) and the runner's client (origin/transcoder's api.ts);
 * PeerTube's name for the step is in the last column.
 *
 *   verb       route id                 handler / service fn / client fn             PeerTube
 *   register   videos.runner.register   registerRunnerHandler / registerRunner()     register
 *   claim      videos.runner.claim      claimJobHandler / claimJob()                 request + accept
 *   heartbeat  videos.runner.heartbeat  heartbeatJobHandler / heartbeatJob()         update
 *   complete   videos.runner.complete   completeJobHandler / completeJob()           success
 *   fail       videos.runner.fail       failJobHandler / failJob()                   error
 *   abort      videos.runner.abort      abortJobHandler / abortJob()                 abort
 *
 *   POST /runners/register               { registrationToken, name }  → 201 { runnerId, runnerToken }
 *   POST /runners/jobs/claim             { maxJobs? }                 → 200 { job } | 204 (nothing to do)
 *   POST /runners/jobs/{jobId}/heartbeat { leaseToken, progress, … }  → 200 { leaseExpiresAt }
 *   POST /runners/jobs/{jobId}/complete  { leaseToken, …outputs }     → 204 (the video is ready)
 *   POST /runners/jobs/{jobId}/fail      { leaseToken, reason, retryable } → 204
 *   POST /runners/jobs/{jobId}/abort     { leaseToken, reason }       → 204 (claimable again at once)
 *
 * Encryption. A job may carry `encryption` (the video's AES-128 content key from the playback
 * service; only the job of that video ever carries it). The runner then writes AES-128 encrypted
 * fMP4 segments (HLS `METHOD=AES-128`, the whole segment AES-128-CBC with PKCS#7 padding under the
 * job's IV), every variant playlist carries `#EXT-X-KEY:METHOD=AES-128,URI="<keyUri>",IV=0x<ivHex>`,
 * and the key itself is never uploaded. `keyUri` is relative to the variant playlist and names the
 * key by id: `../<keyId>.key`, so `/stream/<token>/<videoId>/720p/index.m3u8` resolves it to
 * `/stream/<token>/<videoId>/<keyId>.key`. That path is not in storage: the stream endpoint answers
 * it (for a valid stream session of that video only, `Cache-Control: no-store`) with the 16 bytes
 * of `PLAYBACK.contentKey(videoId, keyId)`, 404 when that is null. A rung name has no dot, so
 * `<keyId>.key` never clashes with a rendition folder. A job without `encryption` (the playback
 * service unreachable, older videos) is transcoded and played in clear.
 */
import { z } from 'zod';
import { plainText } from './text.ts';

export const RUNNER_PATHS = {
  register: '/runners/register',
  claim: '/runners/jobs/claim',
  heartbeat: '/runners/jobs/{jobId}/heartbeat',
  complete: '/runners/jobs/{jobId}/complete',
  fail: '/runners/jobs/{jobId}/fail',
  abort: '/runners/jobs/{jobId}/abort',
} as const;

export type JobOperation = 'heartbeat' | 'complete' | 'fail' | 'abort';

/** The concrete path of an operation on one job. */
export function jobPath(operation: JobOperation, jobId: string): string {
  return RUNNER_PATHS[operation].replace('{jobId}', encodeURIComponent(jobId));
}

export const LadderRung = z.object({
  name: z.string().regex(/^[a-z0-9_-]+$/),
  /** The short side, so portrait sources get the same quality steps as landscape ones. */
  height: z.number().int().positive(),
  videoBitrateKbps: z.number().int().positive(),
  maxrateKbps: z.number().int().positive().optional(),
  audioBitrateKbps: z.number().int().positive(),
});
export type LadderRung = z.infer<typeof LadderRung>;

/**
 * The ladder every job carries unless the service's TRANSCODE_LADDER says otherwise: H.264 at
 * Apple's HLS authoring bitrates, maxrate 1.5× the target (capped VBR keeps each segment's peak
 * near what BANDWIDTH promises). Runners drop the rungs taller than the source.
 */
export const DEFAULT_LADDER: readonly LadderRung[] = [
  { name: '1080p', height: 1080, videoBitrateKbps: 5000, maxrateKbps: 7500, audioBitrateKbps: 128 },
  { name: '720p', height: 720, videoBitrateKbps: 3000, maxrateKbps: 4500, audioBitrateKbps: 128 },
  { name: '480p', height: 480, videoBitrateKbps: 1500, maxrateKbps: 2250, audioBitrateKbps: 96 },
  { name: '360p', height: 360, videoBitrateKbps: 800, maxrateKbps: 1200, audioBitrateKbps: 96 },
];

export const RegisterRequest = z.object({
  registrationToken: z.string().min(1).max(200),
  /** Shown to admins beside the runner id, e.g. the host name. */
  name: plainText({ min: 1, max: 100 }),
});

export const RegisterResponse = z.object({
  runnerId: z.string(),
  /** Shown once; the service keeps only its SHA-256. */
  runnerToken: z.string(),
});

/** The runner is whoever the bearer token says it is: the body names no runner. */
export const ClaimRequest = z.object({
  /** A capacity hint: each claim hands out one job, and runners with room ask again. */
  maxJobs: z.number().int().min(1).max(16).optional(),
});

const Hex128 = z.string().regex(/^[0-9a-f]{32}$/);

/** The relative URI of a content key, as a variant playlist carries it (see the header). */
export function contentKeyUri(keyId: string): string {
  return `../${keyId}.key`;
}

export const JobEncryption = z.object({
  method: z.literal('AES-128'),
  /** The key's id, `ck_…`: stable per video; the key URI names it. */
  keyId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** The 16-byte AES-128 key as 32 lowercase hex digits. Never log or upload it. */
  keyHex: Hex128,
  /** The IV of every segment, 32 lowercase hex digits; playlists carry it as `IV=0x…`. */
  ivHex: Hex128,
  /** Relative to each variant playlist (`../<keyId>.key`): no scheme, no leading slash, no quotes. */
  keyUri: z.string().regex(/^(\.\.\/)?[A-Za-z0-9_-]{1,64}\.key$/),
});
export type JobEncryption = z.infer<typeof JobEncryption>;

export const Job = z.object({
  jobId: z.string(),
  videoId: z.string(),
  type: z.literal('vod-hls-transcoding'),
  attempt: z.number().int().min(1),
  leaseToken: z.string(),
  leaseExpiresAt: z.iso.datetime(),
  /** How often the runner must heartbeat to keep the lease. */
  heartbeatSeconds: z.number().int().positive(),
  input: z.object({
    /** Signed GET of the master (supports Range). */
    url: z.url(),
    size: z.number().int().min(0),
    contentType: z.string().optional(),
  }),
  output: z.object({
    /**
     * A signed PUT URL prefix: the runner PUTs each output file to `urlPrefix + relativePath`
     * (e.g. `master.m3u8`, `720p/index.m3u8`, `720p/seg_00001.m4s`, `poster.jpg`).
     */
    urlPrefix: z.url(),
    /** Largest accepted single file in bytes. */
    maxFileBytes: z.number().int().positive(),
  }),
  ladder: z.array(LadderRung).min(1),
  segmentSeconds: z.number().positive(),
  limits: z.object({
    maxDurationSec: z.number().positive(),
    maxInputBytes: z.number().int().positive(),
    maxWidth: z.number().int().positive(),
    maxHeight: z.number().int().positive(),
  }),
  /** Absent: segments in clear. See "Encryption" in the header. */
  encryption: JobEncryption.optional(),
});
export type Job = z.infer<typeof Job>;

export const ClaimResponse = z.object({ job: Job });

/**
 * What ffprobe and ffmpeg can plausibly report: a runner's numbers are checked against these before
 * anything is stored (and, on completion, against the job's own limits: see job-report.ts).
 */
export const REPORT_BOUNDS = {
  /** Rendition sides: H.264 in 4:2:0 needs even sides; 8192 is beyond any HLS player's level. */
  minSide: 16,
  maxSide: 8192,
  /** Source sides (odd allowed), however rotated. */
  maxSourceSide: 16384,
  maxDurationSec: 48 * 3600,
  maxBitsPerSecond: 500_000_000,
  maxFrameRate: 240,
  /** ffprobe's r_frame_rate of high-speed or odd timebase sources; renditions stay within maxFrameRate. */
  maxSourceFrameRate: 1000,
  maxSegments: 1_000_000,
  maxRenditionBytes: 2 ** 40,
  maxRenditions: 32,
  maxSpeed: 1000,
} as const;

const B = REPORT_BOUNDS;
const RelativePath = z.string().min(1).max(1024);

export const HeartbeatRequest = z.object({
  leaseToken: z.string(),
  progress: z.number().min(0).max(100),
  /** Encoder speed as reported by ffmpeg (e.g. 1.8 = 1.8× realtime). */
  speed: z.number().min(0).max(B.maxSpeed).optional(),
  stage: z.enum(['downloading', 'probing', 'transcoding', 'thumbnails', 'uploading']).optional(),
});
export const HeartbeatResponse = z.object({ leaseExpiresAt: z.iso.datetime() });

const Side = z.number().int().min(B.minSide).max(B.maxSide).multipleOf(2);
const BitsPerSecond = z.number().int().min(1).max(B.maxBitsPerSecond);

export const RenditionResult = z.object({
  name: z
    .string()
    .max(32)
    .regex(/^[a-z0-9_-]+$/),
  width: Side,
  height: Side,
  /** Peak bits/s, as in the master playlist's BANDWIDTH. */
  bandwidth: BitsPerSecond,
  averageBandwidth: BitsPerSecond,
  /** RFC 6381 codec strings, as in the master playlist's CODECS. */
  codecs: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9.]+(,[A-Za-z0-9.]+)*$/),
  frameRate: z.number().positive().max(B.maxFrameRate),
  /** Relative to the output prefix, e.g. `720p/index.m3u8`. */
  playlist: RelativePath,
  segments: z.number().int().min(1).max(B.maxSegments),
  bytes: z.number().int().min(1).max(B.maxRenditionBytes),
});
export type RenditionResult = z.infer<typeof RenditionResult>;

export const CompleteRequest = z.object({
  leaseToken: z.string(),
  durationSec: z.number().positive().max(B.maxDurationSec),
  /** Relative path of the master playlist, normally `master.m3u8`. */
  masterPlaylist: RelativePath,
  renditions: z.array(RenditionResult).min(1).max(B.maxRenditions),
  thumbnails: z.object({
    poster: RelativePath,
    storyboard: z.object({ sprite: RelativePath, vtt: RelativePath }).optional(),
  }),
  source: z.object({
    width: z.number().int().min(1).max(B.maxSourceSide),
    height: z.number().int().min(1).max(B.maxSourceSide),
    /** ffprobe's codec_name. */
    codec: z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/),
    /** 0 when ffprobe could not tell. */
    frameRate: z.number().min(0).max(B.maxSourceFrameRate),
    hasAudio: z.boolean(),
  }),
  /** Wall time of the whole job on the runner, for metrics. */
  elapsedMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600 * 1000)
    .optional(),
});
/** What a runner reports on completion, without the lease token. */
export type JobOutputs = Omit<z.infer<typeof CompleteRequest>, 'leaseToken'>;

export const FailRequest = z.object({
  leaseToken: z.string(),
  reason: z.string().min(1).max(2000),
  retryable: z.boolean(),
});

export const AbortRequest = z.object({
  leaseToken: z.string(),
  reason: z.string().min(1).max(500),
});
