/**
 * The remote-runner protocol between the videos service and transcoder runners, shaped like
 * PeerTube's: request → (update)* → success | error | abort. Runners authenticate with a runner
 * token (`Authorization: Bearer <RUNNER_TOKEN>`), never a user token. Every call after the claim
 * carries the job's `leaseToken`; a runner whose lease expired gets 409 and must drop the job.
 *
 *   POST /runners/jobs/request              { runnerId, maxJobs? }  → 200 { job } | 204 (nothing to do)
 *   POST /runners/jobs/{jobId}/update       { leaseToken, progress, ... }  → 200 { leaseExpiresAt }
 *   POST /runners/jobs/{jobId}/success      { leaseToken, ...result }       → 204
 *   POST /runners/jobs/{jobId}/error        { leaseToken, reason, retryable } → 204
 *   POST /runners/jobs/{jobId}/abort        { leaseToken, reason }          → 204 (job claimable again at once)
 */
import { z } from 'zod';

export const LadderRung = z.object({
  name: z.string().regex(/^[a-z0-9_-]+$/),
  height: z.number().int().positive(),
  videoBitrateKbps: z.number().int().positive(),
  maxrateKbps: z.number().int().positive().optional(),
  audioBitrateKbps: z.number().int().positive(),
});
export type LadderRung = z.infer<typeof LadderRung>;

export const ClaimRequest = z.object({
  runnerId: z.string().min(1).max(100),
  maxJobs: z.number().int().min(1).max(16).optional(),
});

export const Job = z.object({
  jobId: z.string(),
  videoId: z.string(),
  type: z.literal('vod-hls-transcoding'),
  attempt: z.number().int().min(1),
  leaseToken: z.string(),
  leaseExpiresAt: z.iso.datetime(),
  /** How often the runner must call update to keep the lease. */
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
});
export type Job = z.infer<typeof Job>;

export const ClaimResponse = z.object({ job: Job });

export const UpdateRequest = z.object({
  leaseToken: z.string(),
  progress: z.number().min(0).max(100),
  /** Encoder speed as reported by ffmpeg (e.g. 1.8 = 1.8× realtime). */
  speed: z.number().min(0).optional(),
  stage: z.enum(['downloading', 'probing', 'transcoding', 'thumbnails', 'uploading']).optional(),
});
export const UpdateResponse = z.object({ leaseExpiresAt: z.iso.datetime() });

export const RenditionResult = z.object({
  name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Peak bits/s, as in the master playlist's BANDWIDTH. */
  bandwidth: z.number().int().positive(),
  averageBandwidth: z.number().int().positive(),
  codecs: z.string(),
  frameRate: z.number().positive(),
  /** Relative to the output prefix, e.g. `720p/index.m3u8`. */
  playlist: z.string(),
  segments: z.number().int().min(1),
  bytes: z.number().int().min(0),
});
export type RenditionResult = z.infer<typeof RenditionResult>;

export const SuccessRequest = z.object({
  leaseToken: z.string(),
  durationSec: z.number().positive(),
  /** Relative path of the master playlist, normally `master.m3u8`. */
  masterPlaylist: z.string(),
  renditions: z.array(RenditionResult).min(1),
  thumbnails: z.object({
    poster: z.string(),
    storyboard: z.object({ sprite: z.string(), vtt: z.string() }).optional(),
  }),
  source: z.object({
    width: z.number().int(),
    height: z.number().int(),
    codec: z.string(),
    frameRate: z.number(),
    hasAudio: z.boolean(),
  }),
  /** Wall time of the whole job on the runner, for metrics. */
  elapsedMs: z.number().int().min(0).optional(),
});

export const ErrorRequest = z.object({
  leaseToken: z.string(),
  reason: z.string().min(1).max(2000),
  retryable: z.boolean(),
});

export const AbortRequest = z.object({
  leaseToken: z.string(),
  reason: z.string().min(1).max(500),
});
