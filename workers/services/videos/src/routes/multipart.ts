/** Multipart uploads of large masters: create, presign parts, complete, abort. */
import { eq } from 'drizzle-orm';
import { implement, json, noContent } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import { actorOf, auditEntry } from '../audit.ts';
import { type Env, settings } from '../config.ts';
import { abortMultipart, completeMultipart, createMultipart, signParts } from '../contract/uploads.ts';
import { database } from '../db/client.ts';
import { uploads } from '../db/schema.ts';
import { masterKey, masterStored } from '../master.ts';
import { checkMasterSize, openMultipart, partBytes, partLayout } from '../upload-policy.ts';
import { masterStorage } from '../uploads/index.ts';
import { currentJob, requireVideo, videoView } from '../videos.ts';

export const createMultipartHandler = implement(createMultipart, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const s = settings(env);
  const now = new Date();
  const video = await requireVideo(db, input.params.id);
  const { size, contentType } = input.body;
  checkMasterSize(size, s.MAX_MASTER_BYTES);
  const { partSize, partCount } = partLayout(size, input.body.partSize);
  const version = newId('upl');
  const key = masterKey(video.id, version);
  const expiresAt = new Date(now.getTime() + s.UPLOAD_URL_TTL_SECONDS * 1000);
  const storage = masterStorage(env, caller.origin);
  const multipartId = await storage.createMultipart(key, contentType);
  await db.batch([
    db.insert(uploads).values({
      id: version,
      videoId: video.id,
      key,
      kind: 'multipart',
      multipartId,
      expectedSize: size,
      partSize,
      contentType: contentType ?? null,
      state: 'issued',
      createdBy: actorOf(caller).id,
      createdAt: now,
      expiresAt,
    }),
    auditEntry(db, {
      action: 'video.multipart_create',
      actor: actorOf(caller),
      videoId: video.id,
      after: { uploadId: version, mode: storage.mode, size, partSize, partCount, contentType },
      caller,
      at: now,
    }),
  ]);
  return json(201, { uploadId: version, partSize, partCount, expiresAt: expiresAt.toISOString() });
});

export const signPartsHandler = implement(signParts, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const upload = await openMultipart(db, input.params.id, input.params.uploadId, new Date());
  const size = upload.expectedSize!;
  const partSize = upload.partSize!;
  const { partCount } = partLayout(size, partSize);
  const bad = input.body.partNumbers.filter((n) => n > partCount);
  if (bad.length)
    throw Problem.badRequest(`This upload has ${partCount} parts.`, [
      { path: 'partNumbers', message: `out of range: ${bad.join(', ')}` },
    ]);
  const storage = masterStorage(env, caller.origin);
  const parts = await Promise.all(
    [...new Set(input.body.partNumbers)].map(async (partNumber) => {
      const p = await storage.presignPart({
        key: upload.key,
        multipartId: upload.multipartId!,
        partNumber,
        partBytes: partBytes(size, partSize, partNumber),
        expiresAt: upload.expiresAt,
      });
      return {
        partNumber,
        uploadUrl: p.url,
        method: p.method,
        headers: p.headers,
        expiresAt: p.expiresAt.toISOString(),
      };
    }),
  );
  return json(200, { parts });
});

export const completeMultipartHandler = implement(completeMultipart, async (input, caller, env: Env, ctx) => {
  const db = database(env.DB);
  const now = new Date();
  const upload = await openMultipart(db, input.params.id, input.params.uploadId, now);
  const { partCount } = partLayout(upload.expectedSize!, upload.partSize!);
  const parts = [...input.body.parts].sort((a, b) => a.partNumber - b.partNumber);
  if (parts.length !== partCount || parts.some((p, i) => p.partNumber !== i + 1))
    throw Problem.badRequest(`Name each of the ${partCount} parts once, with its ETag.`, [
      { path: 'parts', message: `expected part numbers 1..${partCount}` },
    ]);
  try {
    await masterStorage(env, caller.origin).completeMultipart(upload.key, upload.multipartId!, parts);
  } catch (err) {
    throw Problem.badRequest(`The parts could not be assembled: ${(err as Error).message}`);
  }
  const head = await env.MEDIA.head(upload.key);
  if (!head) throw new Problem('service_unavailable', 'The assembled master is not visible yet; retry.');
  await auditEntry(db, {
    action: 'video.multipart_complete',
    actor: actorOf(caller),
    videoId: upload.videoId,
    after: { uploadId: upload.id, size: head.size, parts: parts.length },
    caller,
    at: now,
  });
  // Storage would report this master too (R2 notifications in production); the repeat is harmless.
  const stored = await masterStored(
    env,
    {
      videoId: upload.videoId,
      key: upload.key,
      size: head.size,
      etag: head.etag,
      contentType: head.httpMetadata?.contentType,
    },
    (p) => ctx.waitUntil(p),
    caller.traceparent,
  );
  if (stored.outcome === 'rejected' || stored.outcome === 'unknown')
    throw Problem.badRequest(stored.detail ?? 'The master was rejected.');
  const video = await requireVideo(db, upload.videoId);
  return json(
    200,
    videoView(video, { admin: true, origin: caller.origin, job: await currentJob(db, video) }),
  );
});

export const abortMultipartHandler = implement(abortMultipart, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const now = new Date();
  const upload = await openMultipart(db, input.params.id, input.params.uploadId, now);
  await masterStorage(env, caller.origin).abortMultipart(upload.key, upload.multipartId!);
  await db.batch([
    db.update(uploads).set({ state: 'aborted' }).where(eq(uploads.id, upload.id)),
    auditEntry(db, {
      action: 'video.multipart_abort',
      actor: actorOf(caller),
      videoId: upload.videoId,
      after: { uploadId: upload.id },
      caller,
      at: now,
    }),
  ]);
  return noContent;
});
