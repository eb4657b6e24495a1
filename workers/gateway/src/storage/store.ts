/**
 * PUT of an object (or of one part of a multipart upload) into R2, streamed: the body goes through
 * a FixedLengthStream of the announced Content-Length, so R2 receives exactly the signed-for number
 * of bytes and nothing is buffered, whatever the size.
 */
import type { Context } from 'hono';
import { errorFields, log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import type { StorageGrant } from '../../../lib/storage-grant.ts';
import type { GatewayBindings } from '../env.ts';
import { mediaTypeOf } from './media-types.ts';

function bodyLength(c: Context<GatewayBindings>): number | undefined {
  const header = c.req.header('content-length');
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function mediaType(c: Context<GatewayBindings>): string {
  return (c.req.header('content-type') ?? 'application/octet-stream').trim();
}

export async function storeObject(
  c: Context<GatewayBindings>,
  key: string,
  grant: StorageGrant,
): Promise<Response> {
  const length = bodyLength(c);
  if (length === undefined) {
    throw new Problem('length_required', 'Send the body with a Content-Length header.');
  }
  if (grant.maxBytes !== undefined) {
    if (grant.exactSize && length !== grant.maxBytes)
      throw Problem.badRequest(`This URL takes exactly ${grant.maxBytes} bytes; the body has ${length}.`);
    if (length > grant.maxBytes)
      throw new Problem(
        'payload_too_large',
        `This URL takes at most ${grant.maxBytes} bytes; the body has ${length}.`,
      );
  }
  const contentType = mediaType(c);
  if (grant.contentType && contentType.toLowerCase() !== grant.contentType.toLowerCase())
    throw Problem.forbidden(`The Content-Type must be ${grant.contentType}, as signed.`);

  const source = c.req.raw.body ?? new Blob([]).stream();
  const fixed = new FixedLengthStream(length);
  // A short body fails the write below, which reports it; the pipe's own rejection adds nothing.
  source.pipeTo(fixed.writable).catch(() => undefined);
  const body = fixed.readable;
  const bucket = c.env.MEDIA;
  if (grant.part) {
    const upload = bucket.resumeMultipartUpload(key, grant.part.uploadId);
    const part = await truncatedIsBadRequest(upload.uploadPart(grant.part.number, body));
    return c.body(null, 200, { ETag: `"${part.etag}"` });
  }
  // R2 keeps the type the key decides, not the uploader's, for whatever else ever serves the object.
  const media = mediaTypeOf(key);
  const httpMetadata = {
    contentType: media.contentType,
    ...(media.attachment ? { contentDisposition: 'attachment' } : {}),
  };
  if (!grant.master) {
    const stored = await truncatedIsBadRequest(bucket.put(key, body, { httpMetadata }));
    if (!stored) throw new Problem('service_unavailable', 'The object was not stored; retry.');
    return c.json({ key, size: stored.size, etag: stored.etag }, 200, { ETag: stored.httpEtag });
  }
  // A master upload URL is single use: the service says whether this PUT may write before it does.
  const master = { videoId: grant.master.videoId, key };
  const videos = videosService(c);
  await claimMaster(c, videos, master, length);
  let stored: R2Object | null;
  try {
    stored = await truncatedIsBadRequest(bucket.put(key, body, { httpMetadata }));
    if (!stored) throw new Problem('service_unavailable', 'The object was not stored; retry.');
    await reportMaster(c, videos, master.videoId, stored, contentType);
  } catch (err) {
    c.executionCtx.waitUntil(
      videos
        .releaseMasterUpload(master)
        .catch((e) => log('warn', 'could not release a master upload', { key, ...errorFields(e) })),
    );
    throw err;
  }
  return c.json({ key, size: stored.size, etag: stored.etag }, 200, { ETag: stored.httpEtag });
}

type VideosStub = NonNullable<GatewayEnv['VIDEOS']>;

function videosService(c: Context<GatewayBindings>): VideosStub {
  const videos = c.env.VIDEOS;
  if (!videos) throw new Problem('service_unavailable', 'The videos service is not available.');
  return videos;
}

async function claimMaster(
  c: Context<GatewayBindings>,
  videos: VideosStub,
  master: { videoId: string; key: string },
  bytes: number,
): Promise<void> {
  let result: Awaited<ReturnType<VideosStub['claimMasterUpload']>>;
  try {
    result = await videos.claimMasterUpload(master, bytes);
  } catch (err) {
    log('error', 'claimMasterUpload failed', {
      key: master.key,
      requestId: c.get('requestId'),
      ...errorFields(err),
    });
    throw new Problem('bad_gateway', 'The upload could not be checked; PUT it again.');
  }
  switch (result.outcome) {
    case 'claimed':
      return;
    case 'busy':
    case 'spent':
    case 'superseded':
      throw Problem.conflict(result.detail ?? 'This upload URL cannot be used again.');
    case 'rejected':
      throw Problem.badRequest(result.detail ?? 'The upload was rejected.');
    case 'unknown':
      throw Problem.notFound(result.detail ?? 'The video no longer exists.');
  }
}

/** A body that ends before its Content-Length is the client's fault; R2 keeps nothing of it. */
async function truncatedIsBadRequest<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof TypeError && /FixedLengthStream/.test(err.message))
      throw Problem.badRequest('The body ended before Content-Length bytes arrived.');
    throw err;
  }
}

/** Tells the videos service its master arrived; the client's PUT succeeds only once it knows. */
async function reportMaster(
  c: Context<GatewayBindings>,
  videos: VideosStub,
  videoId: string,
  stored: R2Object,
  contentType: string,
): Promise<void> {
  let result: Awaited<ReturnType<VideosStub['masterStored']>>;
  try {
    result = await videos.masterStored(
      { videoId, key: stored.key, size: stored.size, etag: stored.etag, contentType },
      c.get('trace').traceparent,
    );
  } catch (err) {
    log('error', 'masterStored failed', {
      key: stored.key,
      requestId: c.get('requestId'),
      ...errorFields(err),
    });
    throw new Problem('bad_gateway', 'The master is stored but could not be registered; PUT it again.');
  }
  switch (result.outcome) {
    case 'accepted':
    case 'duplicate':
      return;
    case 'spent':
    case 'superseded':
      throw Problem.conflict(result.detail ?? 'A newer master of this video exists.');
    case 'rejected':
      throw Problem.badRequest(result.detail ?? 'The master was rejected.');
    case 'unknown':
      throw Problem.notFound(result.detail ?? 'The video no longer exists.');
  }
}
