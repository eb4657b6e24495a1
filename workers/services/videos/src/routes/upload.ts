import { implement, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { actorOf, auditEntry } from '../audit.ts';
import { type Env, settings } from '../config.ts';
import { requestUpload } from '../contract/uploads.ts';
import { database } from '../db/client.ts';
import { uploads } from '../db/schema.ts';
import { masterKey } from '../master.ts';
import { checkMasterSize, SINGLE_PUT_MAX_BYTES } from '../upload-policy.ts';
import { masterStorage } from '../uploads/index.ts';
import { requireVideo } from '../videos.ts';

export const requestUploadHandler = implement(requestUpload, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const s = settings(env);
  const now = new Date();
  const video = await requireVideo(db, input.params.id);
  const { contentType, size } = input.body ?? {};
  checkMasterSize(size, s.MAX_MASTER_BYTES, SINGLE_PUT_MAX_BYTES);
  const version = newId('upl');
  const key = masterKey(video.id, version);
  const expiresAt = new Date(now.getTime() + s.UPLOAD_URL_TTL_SECONDS * 1000);
  const storage = masterStorage(env, caller.origin);
  const presigned = await storage.presignPut({
    videoId: video.id,
    version,
    key,
    contentType,
    size,
    maxBytes: Math.min(s.MAX_MASTER_BYTES, SINGLE_PUT_MAX_BYTES),
    expiresAt,
  });
  await db.batch([
    db.insert(uploads).values({
      id: version,
      videoId: video.id,
      key,
      kind: 'single',
      expectedSize: size ?? null,
      contentType: contentType ?? null,
      state: 'issued',
      createdBy: actorOf(caller).id,
      createdAt: now,
      expiresAt,
    }),
    auditEntry(db, {
      action: 'video.upload_url',
      actor: actorOf(caller),
      videoId: video.id,
      after: { uploadId: version, mode: storage.mode, contentType, size, expiresAt: expiresAt.toISOString() },
      caller,
      at: now,
    }),
  ]);
  return json(200, {
    uploadUrl: presigned.url,
    method: presigned.method,
    headers: presigned.headers,
    expiresAt: presigned.expiresAt.toISOString(),
    uploadId: version,
  });
});
