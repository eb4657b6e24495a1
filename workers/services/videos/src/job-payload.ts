/** What a claim hands the runner: exactly what it may read, where it must write, and how. */
import type { z } from 'zod';
import type { Job } from '../../../lib/runner-protocol.ts';
import { signGrant, storageUrl } from '../../../lib/storage-grant.ts';
import { type Env, settings } from './config.ts';
import { outputPrefix } from './outputs.ts';
import type { JobRow } from './videos.ts';

/** Runners heartbeat well inside the lease, so one lost update does not cost the job. */
export function heartbeatSeconds(leaseSeconds: number): number {
  return Math.max(1, Math.floor(leaseSeconds / 3));
}

export async function jobPayload(
  env: Env,
  job: JobRow,
  leaseToken: string,
  origin: string,
  now = new Date(),
): Promise<z.input<typeof Job>> {
  const s = settings(env);
  const exp = Math.floor(now.getTime() / 1000) + s.JOB_URL_TTL_SECONDS;
  const prefix = outputPrefix(job);
  const [read, write] = await Promise.all([
    signGrant(s.STORAGE_SIGNING_KEY, { method: 'GET', key: job.masterKey, exp }),
    signGrant(s.STORAGE_SIGNING_KEY, {
      method: 'PUT',
      key: prefix,
      prefix: true,
      exp,
      maxBytes: s.MAX_OUTPUT_FILE_BYTES,
    }),
  ]);
  return {
    jobId: job.id,
    videoId: job.videoId,
    type: 'vod-hls-transcoding',
    attempt: job.failures + 1,
    leaseToken,
    leaseExpiresAt: job.leaseExpiresAt!.toISOString(),
    heartbeatSeconds: heartbeatSeconds(s.RUNNER_LEASE_SECONDS),
    input: {
      url: storageUrl(origin, read, job.masterKey),
      size: job.masterSize,
      ...(job.masterContentType ? { contentType: job.masterContentType } : {}),
    },
    output: { urlPrefix: storageUrl(origin, write, prefix), maxFileBytes: s.MAX_OUTPUT_FILE_BYTES },
    ladder: s.TRANSCODE_LADDER,
    segmentSeconds: s.SEGMENT_SECONDS,
    limits: {
      maxDurationSec: s.MAX_DURATION_SEC,
      maxInputBytes: s.MAX_MASTER_BYTES,
      maxWidth: s.MAX_SOURCE_WIDTH,
      maxHeight: s.MAX_SOURCE_HEIGHT,
    },
  };
}
