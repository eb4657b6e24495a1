import { describe, expect, it } from 'vitest';
import { checkAccess, parseStoragePath, verifyToken } from '../../../lib/storage-grant.ts';
import { claimMasterUpload, claimSeconds } from '../src/master.ts';
import { call, createVideo, deliver, ORIGIN, outbox, service, testEnv } from './support/service.ts';

async function grantOf(url: string) {
  const target = parseStoragePath(new URL(url).pathname)!;
  return { key: target.key, grant: await verifyToken(testEnv.STORAGE_SIGNING_KEY, target.token) };
}

describe('POST /videos/{id}/upload (local mode)', () => {
  it('answers a signed PUT URL of the gateway storage for a new master version', async () => {
    const video = await createVideo();
    const res = await call('videos.upload', {
      params: { id: video.videoId },
      body: { contentType: 'video/mp4', size: 1_234_567 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'video/mp4' } });
    expect(res.body.uploadUrl.startsWith(`${ORIGIN}/storage/`)).toBe(true);
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    const { key, grant } = await grantOf(res.body.uploadUrl);
    expect(key).toBe(`masters/${video.videoId}/${res.body.uploadId}`);
    expect(grant).toMatchObject({
      method: 'PUT',
      key,
      maxBytes: 1_234_567,
      exactSize: true,
      contentType: 'video/mp4',
      master: { videoId: video.videoId, version: res.body.uploadId },
    });
    expect(Math.abs(grant.exp * 1000 - Date.parse(res.body.expiresAt))).toBeLessThan(1000);
    expect(() => checkAccess(grant, 'PUT', key)).not.toThrow();
    expect(() => checkAccess(grant, 'GET', key)).toThrow(/allows PUT/);
    const [audit] = (await call('videos.audit', { params: { id: video.videoId }, query: {} })).body;
    expect(audit).toMatchObject({
      action: 'video.upload_url',
      after: { uploadId: res.body.uploadId, mode: 'local' },
    });
  });

  it('limits an upload of unannounced size to the largest single PUT', async () => {
    const video = await createVideo();
    const res = await call('videos.upload', { params: { id: video.videoId } });
    const { grant } = await grantOf(res.body.uploadUrl);
    expect(grant.maxBytes).toBe(5 * 1024 ** 3);
    expect(grant.exactSize).toBeUndefined();
    expect(res.body.headers).toEqual({});
  });

  it('refuses sizes over the limits: 413 over MAX_MASTER_BYTES, 400 over a single PUT', async () => {
    const video = await createVideo();
    const huge = await call('videos.upload', {
      params: { id: video.videoId },
      body: { size: 51 * 1024 ** 3 },
    });
    expect(huge.status).toBe(413);
    const big = await call('videos.upload', { params: { id: video.videoId }, body: { size: 6 * 1024 ** 3 } });
    expect(big.status).toBe(400);
    expect(big.problem?.detail).toMatch(/multipart/);
  });

  it('answers 404 for an unknown video', async () => {
    expect((await call('videos.upload', { params: { id: 'vid_nope' } })).status).toBe(404);
  });
});

describe('multipart uploads (local mode, through the R2 binding)', () => {
  const MiB = 1024 * 1024;

  async function start(size: number, partSize = 5 * MiB) {
    const video = await createVideo();
    const res = await call('videos.multipartCreate', {
      params: { id: video.videoId },
      body: { size, partSize, contentType: 'video/mp4' },
    });
    expect(res.status).toBe(201);
    return { videoId: video.videoId as string, ...res.body };
  }

  /** What the gateway's storage endpoint does with a part grant. */
  async function putPart(url: string, body: Uint8Array) {
    const { key, grant } = await grantOf(url);
    expect(grant.exactSize && grant.maxBytes).toBe(body.length);
    const part = await testEnv.MEDIA.resumeMultipartUpload(key, grant.part!.uploadId).uploadPart(
      grant.part!.number,
      body,
    );
    return part.etag;
  }

  it('creates, signs parts of exact sizes, completes, and the video is uploaded', async () => {
    const size = 11 * MiB + 3;
    const up = await start(size);
    expect(up).toMatchObject({ partSize: 5 * MiB, partCount: 3 });
    const parts = await call('videos.multipartParts', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { partNumbers: [1, 2, 3] },
    });
    expect(parts.status).toBe(200);
    const sizes = [5 * MiB, 5 * MiB, MiB + 3];
    const etags: string[] = [];
    for (const [i, p] of parts.body.parts.entries()) {
      expect(p).toMatchObject({ partNumber: i + 1, method: 'PUT' });
      etags.push(await putPart(p.uploadUrl, new Uint8Array(sizes[i]!).fill(i + 1)));
    }
    const done = await call('videos.multipartComplete', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { parts: etags.map((etag, i) => ({ partNumber: i + 1, etag: `"${etag}"` })) },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'uploaded', master: { version: up.uploadId, size } });
    const [event] = await outbox('VideoUploaded', up.videoId);
    expect(event!.envelope.data).toMatchObject({ masterVersion: up.uploadId, size });
    const again = await call('videos.multipartComplete', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) },
    });
    expect(again.status).toBe(409);
  });

  it('grows the part size so a master never needs more than 10,000 parts', async () => {
    const up = await start(50 * 1024 * MiB, 5 * MiB);
    expect(up.partCount).toBeLessThanOrEqual(10_000);
    expect(up.partSize).toBeGreaterThan(5 * MiB);
    expect(up.partSize * up.partCount).toBeGreaterThanOrEqual(50 * 1024 * MiB);
  });

  it('refuses part numbers past the last part, and a completion that skips parts', async () => {
    const up = await start(6 * MiB);
    const bad = await call('videos.multipartParts', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { partNumbers: [3] },
    });
    expect(bad.status).toBe(400);
    const gap = await call('videos.multipartComplete', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { parts: [{ partNumber: 2, etag: 'x' }] },
    });
    expect(gap.status).toBe(400);
  });

  it('aborts: 204, and the upload takes no more parts', async () => {
    const up = await start(6 * MiB);
    const res = await call('videos.multipartAbort', { params: { id: up.videoId, uploadId: up.uploadId } });
    expect(res.status).toBe(204);
    const after = await call('videos.multipartParts', {
      params: { id: up.videoId, uploadId: up.uploadId },
      body: { partNumbers: [1] },
    });
    expect(after.status).toBe(409);
    expect(
      (await call('videos.multipartAbort', { params: { id: up.videoId, uploadId: 'upl_nope' } })).status,
    ).toBe(404);
  });
});

describe('R2 event notifications (production signal that a master landed)', () => {
  it('a PutObject notification for a master moves the video to uploaded', async () => {
    const video = await createVideo();
    const upload = await call('videos.upload', {
      params: { id: video.videoId },
      body: { contentType: 'video/mp4' },
    });
    const key = `masters/${video.videoId}/${upload.body.uploadId}`;
    await testEnv.MEDIA.put(key, 'from R2 directly', { httpMetadata: { contentType: 'video/mp4' } });
    const notification = {
      account: 'acc',
      bucket: 'media-production',
      action: 'PutObject',
      object: { key, size: 16, eTag: 'abc' },
      eventTime: new Date().toISOString(),
    };
    const other = { ...notification, object: { key: 'renditions/x/y/master.m3u8', size: 1 } };
    const result = await deliver(
      [notification, other, { not: 'a notification' }],
      'media-notifications-production',
    );
    expect(result.explicitAcks).toHaveLength(3);
    const shown = await call('videos.get', { params: { id: video.videoId } });
    expect(shown.body).toMatchObject({ status: 'uploaded', master: { size: 16, contentType: 'video/mp4' } });
    expect(await outbox('VideoUploaded', video.videoId)).toHaveLength(1);
  });
});

describe('upload URLs are single use (claimMasterUpload before the gateway writes)', () => {
  async function issued() {
    const video = await createVideo();
    const upload = await call('videos.upload', { params: { id: video.videoId } });
    return { videoId: video.videoId as string, key: `masters/${video.videoId}/${upload.body.uploadId}` };
  }

  it('a spent upload URL cannot be claimed again', async () => {
    const target = await issued();
    expect((await service.claimMasterUpload(target, 10)).outcome).toBe('claimed');
    const stored = await testEnv.MEDIA.put(target.key, 'first take');
    expect((await service.masterStored({ ...target, size: stored!.size, etag: stored!.etag })).outcome).toBe(
      'accepted',
    );
    expect(await service.claimMasterUpload(target, 10)).toMatchObject({ outcome: 'spent' });
  });

  it('a second PUT is refused while the first is writing; a failed write frees the URL at once', async () => {
    const target = await issued();
    expect((await service.claimMasterUpload(target, 10)).outcome).toBe('claimed');
    expect((await service.claimMasterUpload(target, 10)).outcome).toBe('busy');
    await service.releaseMasterUpload(target);
    expect((await service.claimMasterUpload(target, 10)).outcome).toBe('claimed');
  });

  it('a claim left by a crashed write lapses', async () => {
    const target = await issued();
    expect((await claimMasterUpload(testEnv, { ...target, bytes: 0 })).outcome).toBe('claimed');
    const later = Date.now() + (claimSeconds(0) + 1) * 1000;
    expect((await claimMasterUpload(testEnv, { ...target, bytes: 0 }, later)).outcome).toBe('claimed');
  });

  it('a stored master reported with another etag is spent, not a duplicate', async () => {
    const target = await issued();
    const stored = await testEnv.MEDIA.put(target.key, 'first take');
    await service.masterStored({ ...target, size: stored!.size, etag: stored!.etag });
    const replaced = await testEnv.MEDIA.put(target.key, 'other take');
    const again = await service.masterStored({ ...target, size: replaced!.size, etag: replaced!.etag });
    expect(again.outcome).toBe('spent');
    expect(await outbox('VideoUploaded', target.videoId)).toHaveLength(1);
  });

  it('multipart uploads are not single-PUT URLs: they cannot be claimed', async () => {
    const video = await createVideo();
    const mp = await call('videos.multipartCreate', {
      params: { id: video.videoId },
      body: { size: 6 * 1024 ** 2 },
    });
    expect(mp.status).toBe(201);
    const key = `masters/${video.videoId}/${mp.body.uploadId}`;
    expect((await service.claimMasterUpload({ videoId: video.videoId, key }, 10)).outcome).toBe('unknown');
  });
});
