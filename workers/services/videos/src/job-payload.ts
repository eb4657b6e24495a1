/** What a claim hands the runner: exactly what it may read, where it must write, and how. */
import type { z } from 'zod';
import { errorFields, log } from '../../../lib/log.ts';
import { contentKeyUri, type Job, type JobEncryption } from '../../../lib/runner-protocol.ts';
import { signGrant, storageUrl } from '../../../lib/storage-grant.ts';
import { type Env, settings } from './config.ts';
import { outputPrefix } from './outputs.ts';
import type { JobRow } from './videos.ts';

/** Runners heartbeat well inside the lease, so one lost update does not cost the job. */
export function heartbeatSeconds(leaseSeconds: number): number {
  return Math.max(1, Math.floor(leaseSeconds / 3));
}

/**
 * The video's content key from the playback service, so the runner encrypts the segments; without
 * the PLAYBACK binding, or when it fails, the job goes out in clear (a warning, never the key, is
 * logged). Only this video's job asks for, and carries, this video's key. CONTENT_ENCRYPTION=off
 * skips it.
 */
export async function jobEncryption(env: Env, videoId: string): Promise<JobEncryption | undefined> {
  if (settings(env).CONTENT_ENCRYPTION === 'off') return undefined;
  const playback = (env as Partial<Pick<Env, 'PLAYBACK'>>).PLAYBACK;
  if (!playback) {
    log('warn', 'no PLAYBACK binding: the job goes out unencrypted', { videoId });
    return undefined;
  }
  try {
    const { keyId, keyHex, ivHex } = await playback.contentKeyForJob(videoId);
    return { method: 'AES-128', keyId, keyHex, ivHex, keyUri: contentKeyUri(keyId) };
  } catch (err) {
    const { error, errorName } = errorFields(err);
    log('warn', 'no content key from playback: the job goes out unencrypted', { videoId, error, errorName });
    return undefined;
  }
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
  const [read, write, encryption] = await Promise.all([
    signGrant(s.STORAGE_SIGNING_KEY, { method: 'GET', key: job.masterKey, exp }),
    signGrant(s.STORAGE_SIGNING_KEY, {
      method: 'PUT',
      key: prefix,
      prefix: true,
      exp,
      maxBytes: s.MAX_OUTPUT_FILE_BYTES,
    }),
    jobEncryption(env, job.videoId),
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
    ...(encryption ? { encryption } : {}),
  };
}
