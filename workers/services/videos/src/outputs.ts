/**
 * What a runner reports on success is checked against what it actually stored before the video is
 * marked ready: every path must stay inside the job's output prefix and every playlist and the
 * poster must exist. The poster is then copied to a public key, so thumbnailUrl never expires.
 * Each job writes only below its own prefix and poster key, so purging a job's outputs is exact:
 * it can never reach what another job made.
 */
import { errorFields, log } from '../../../lib/log.ts';
import { type FieldError, Problem } from '../../../lib/problem.ts';
import type { JobOutputs } from '../../../lib/runner-protocol.ts';
import { isSafeKey, publicUrl } from '../../../lib/storage-grant.ts';
import type { StoredRendition } from './db/schema.ts';
import { deletePrefix } from './purge.ts';
import type { JobRow } from './videos.ts';

type JobRef = Pick<JobRow, 'id' | 'videoId'>;

export function outputPrefix(job: JobRef): string {
  return `renditions/${job.videoId}/${job.id}/`;
}

/** The public copy of the job's poster. */
export function posterKey(job: JobRef): string {
  return `public/posters/${job.videoId}/${job.id}.jpg`;
}

/** Deletes what one job wrote (its output prefix) and published (its poster copy). */
export async function purgeJobOutputs(bucket: R2Bucket, job: JobRef): Promise<void> {
  try {
    await deletePrefix(bucket, outputPrefix(job));
    await bucket.delete(posterKey(job));
  } catch (err) {
    // Leftovers cost storage, not correctness; deleting the video purges them for good.
    log('warn', 'could not purge job outputs', { videoId: job.videoId, jobId: job.id, ...errorFields(err) });
  }
}

export interface PublishedOutputs {
  prefix: string;
  renditions: StoredRendition[];
  posterKey: string;
  posterUrl: string;
}

export async function publishOutputs(
  bucket: R2Bucket,
  job: JobRef,
  result: JobOutputs,
  origin: string,
): Promise<PublishedOutputs> {
  const prefix = outputPrefix(job);
  const paths: [string, string][] = [
    ['masterPlaylist', result.masterPlaylist],
    ...result.renditions.map((r, i): [string, string] => [`renditions.${i}.playlist`, r.playlist]),
    ['thumbnails.poster', result.thumbnails.poster],
  ];
  if (result.thumbnails.storyboard) {
    paths.push(['thumbnails.storyboard.sprite', result.thumbnails.storyboard.sprite]);
    paths.push(['thumbnails.storyboard.vtt', result.thumbnails.storyboard.vtt]);
  }
  const errors: FieldError[] = paths
    .filter(([, p]) => !isSafeKey(p))
    .map(([path]) => ({ path, message: 'must be a relative path inside the output prefix' }));
  if (errors.length) throw Problem.badRequest('The result names paths outside the job output.', errors);

  const heads = await Promise.all(paths.map(([, p]) => bucket.head(prefix + p)));
  const missing = paths
    .filter((_, i) => heads[i] === null)
    .map(([path, p]) => ({ path, message: `${p} was not stored` }));
  if (missing.length) throw Problem.badRequest('The result names outputs that were never stored.', missing);

  const poster = await bucket.get(prefix + result.thumbnails.poster);
  if (!poster) throw Problem.badRequest('The poster disappeared.');
  const publicPoster = posterKey(job);
  await bucket.put(publicPoster, poster.body, {
    httpMetadata: { contentType: poster.httpMetadata?.contentType ?? 'image/jpeg' },
  });

  const renditions: StoredRendition[] = result.renditions.map((r) => ({
    name: r.name,
    width: r.width,
    height: r.height,
    bandwidth: r.bandwidth,
    averageBandwidth: r.averageBandwidth,
    codecs: r.codecs,
    frameRate: r.frameRate,
    playlist: r.playlist,
    segments: r.segments,
    bytes: r.bytes,
  }));
  return {
    prefix,
    renditions,
    posterKey: publicPoster,
    posterUrl: publicUrl(origin, publicPoster),
  };
}
