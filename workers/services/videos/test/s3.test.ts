import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config.ts';
import { S3MasterStorage } from '../src/uploads/s3.ts';
import { R2_TEST, type RecordedRequest } from './support/r2-s3-recorder.ts';
import { callWith, createVideo, outbox, testEnv } from './support/service.ts';
import { verifyPresignedUrl } from './support/sigv4.ts';

const NOW = new Date('2026-01-31T12:00:00.000Z');
const inAnHour = new Date(NOW.getTime() + 3600_000);
const r2Host = `${R2_TEST.accountId}.r2.cloudflarestorage.com`;

function storage() {
  return new S3MasterStorage({ ...R2_TEST, now: () => NOW });
}

const s3Env = {
  ...testEnv,
  UPLOAD_MODE: 's3',
  R2_ACCOUNT_ID: R2_TEST.accountId,
  R2_BUCKET: R2_TEST.bucket,
  R2_ACCESS_KEY_ID: R2_TEST.accessKeyId,
  R2_SECRET_ACCESS_KEY: R2_TEST.secretAccessKey,
} as Env;

async function recorded(): Promise<RecordedRequest[]> {
  return (await fetch('http://recorder.test/requests')).json();
}

describe('presigned PUTs against R2’s S3 endpoint (fixed credentials and clock)', () => {
  it('carries exactly the SigV4 query R2 expects, and binds the size and type', async () => {
    const put = await storage().presignPut({
      videoId: 'vid_1',
      version: 'upl_1',
      key: 'masters/vid_1/upl_1',
      contentType: 'video/mp4',
      size: 1234,
      maxBytes: 5 * 1024 ** 3,
      expiresAt: inAnHour,
    });
    const url = new URL(put.url);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe(r2Host);
    expect(url.pathname).toBe(`/${R2_TEST.bucket}/masters/vid_1/upl_1`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': `${R2_TEST.accessKeyId}/20260131/auto/s3/aws4_request`,
      'X-Amz-Date': '20260131T120000Z',
      'X-Amz-Expires': '3600',
      'X-Amz-SignedHeaders': 'content-length;content-type;host;if-none-match',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
      'x-id': 'PutObject',
    });
    expect(put).toMatchObject({
      method: 'PUT',
      headers: { 'If-None-Match': '*', 'Content-Type': 'video/mp4' },
      expiresAt: inAnHour,
    });

    const sent = { 'content-length': '1234', 'content-type': 'video/mp4', 'if-none-match': '*' };
    expect((await verifyPresignedUrl('PUT', put.url, sent, R2_TEST.secretAccessKey)).ok).toBe(true);
    for (const wrong of [
      { ...sent, 'content-length': '1235' },
      { ...sent, 'content-type': 'text/html' },
      // Without the condition the PUT could replace a stored master: the URL is single use.
      { 'content-length': '1234', 'content-type': 'video/mp4' },
    ]) {
      expect((await verifyPresignedUrl('PUT', put.url, wrong, R2_TEST.secretAccessKey)).ok).toBe(false);
    }
    expect((await verifyPresignedUrl('GET', put.url, sent, R2_TEST.secretAccessKey)).ok).toBe(false);
    expect((await verifyPresignedUrl('PUT', put.url, sent, 'another-secret')).ok).toBe(false);
  });

  it('signs only the host and the single-use condition for a master of unannounced size', async () => {
    const put = await storage().presignPut({
      videoId: 'vid_1',
      version: 'upl_2',
      key: 'masters/vid_1/upl_2',
      maxBytes: 5 * 1024 ** 3,
      expiresAt: new Date(NOW.getTime() + 900_000),
    });
    const url = new URL(put.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;if-none-match');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(put.headers).toEqual({ 'If-None-Match': '*' });
    expect(
      (await verifyPresignedUrl('PUT', put.url, { 'if-none-match': '*' }, R2_TEST.secretAccessKey)).ok,
    ).toBe(true);
    expect((await verifyPresignedUrl('PUT', put.url, {}, R2_TEST.secretAccessKey)).ok).toBe(false);
  });

  it('presigns UploadPart with its part number, upload id and exact part size', async () => {
    const part = await storage().presignPart({
      key: 'masters/vid_1/upl_3',
      multipartId: 'r2-upload-id',
      partNumber: 7,
      partBytes: 5 * 1024 * 1024,
      expiresAt: inAnHour,
    });
    const url = new URL(part.url);
    expect(url.searchParams.get('partNumber')).toBe('7');
    expect(url.searchParams.get('uploadId')).toBe('r2-upload-id');
    expect(url.searchParams.get('x-id')).toBe('UploadPart');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    const ok = await verifyPresignedUrl(
      'PUT',
      part.url,
      { 'content-length': String(5 * 1024 * 1024) },
      R2_TEST.secretAccessKey,
    );
    expect(ok.ok).toBe(true);
  });
});

describe('the upload contract is the same in both modes', () => {
  for (const [mode, workerEnv] of [
    ['local', testEnv],
    ['s3', s3Env],
  ] as const) {
    it(`${mode}: single PUT URL, then multipart create → parts → complete → uploaded`, async () => {
      const video = await createVideo({ title: `contract ${mode}` });
      const single = await callWith(workerEnv, 'videos.upload', {
        params: { id: video.videoId },
        body: { contentType: 'video/mp4', size: 100 },
      });
      expect(single.status).toBe(200);
      expect(Object.keys(single.body).sort()).toEqual([
        'expiresAt',
        'headers',
        'method',
        'uploadId',
        'uploadUrl',
      ]);
      // Both are single use; R2 enforces it with a signed condition, the storage endpoint by claiming.
      expect(single.body).toMatchObject({
        method: 'PUT',
        headers: { ...(mode === 's3' ? { 'If-None-Match': '*' } : {}), 'Content-Type': 'video/mp4' },
      });
      expect(new URL(single.body.uploadUrl).host).toBe(mode === 's3' ? r2Host : 'platform.test');

      const MiB = 1024 * 1024;
      const size = 5 * MiB + 10;
      const created = await callWith(workerEnv, 'videos.multipartCreate', {
        params: { id: video.videoId },
        body: { size, partSize: 5 * MiB, contentType: 'video/mp4' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ partSize: 5 * MiB, partCount: 2 });
      const { uploadId } = created.body;
      const parts = await callWith(workerEnv, 'videos.multipartParts', {
        params: { id: video.videoId, uploadId },
        body: { partNumbers: [1, 2] },
      });
      expect(parts.status).toBe(200);
      expect(parts.body.parts).toHaveLength(2);
      const key = `masters/${video.videoId}/${uploadId}`;
      let etags: string[];
      if (mode === 'local') {
        const row = await testEnv.DB.prepare('SELECT multipart_id FROM uploads WHERE id = ?')
          .bind(uploadId)
          .first<{ multipart_id: string }>();
        const upload = testEnv.MEDIA.resumeMultipartUpload(key, row!.multipart_id);
        etags = [
          (await upload.uploadPart(1, new Uint8Array(5 * MiB))).etag,
          (await upload.uploadPart(2, new Uint8Array(10))).etag,
        ];
      } else {
        for (const p of parts.body.parts) expect(new URL(p.uploadUrl).host).toBe(r2Host);
        // R2 assembles the parts on CompleteMultipartUpload; the binding then sees the object.
        await testEnv.MEDIA.put(key, new Uint8Array(size), { httpMetadata: { contentType: 'video/mp4' } });
        etags = ['"etag-1"', '"etag-2"'];
      }
      const done = await callWith(workerEnv, 'videos.multipartComplete', {
        params: { id: video.videoId, uploadId },
        body: { parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) },
      });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'uploaded', master: { version: uploadId, size } });
      expect((await outbox('VideoUploaded', video.videoId)).length).toBe(1);

      if (mode === 's3') {
        const calls = (await recorded()).filter((r) => r.path === `/${R2_TEST.bucket}/${key}`);
        const scope = expect.stringMatching(/^\d{8}\/auto\/s3\/aws4_request$/);
        expect(calls.map((c) => [c.method, c.presigned, c.signatureValid, c.scope])).toEqual([
          ['POST', true, true, scope],
          ['POST', true, true, scope],
        ]);
        expect(calls[0]!.query).toHaveProperty('uploads');
        expect(calls[1]!.query.uploadId).toMatch(/^rec-upload-/);
        expect(calls[1]!.body).toContain('<PartNumber>2</PartNumber><ETag>"etag-2"</ETag>');
      }
    });
  }

  it('s3: aborting calls AbortMultipartUpload on R2', async () => {
    const video = await createVideo();
    const created = await callWith(s3Env, 'videos.multipartCreate', {
      params: { id: video.videoId },
      body: { size: 6 * 1024 * 1024 },
    });
    const aborted = await callWith(s3Env, 'videos.multipartAbort', {
      params: { id: video.videoId, uploadId: created.body.uploadId },
    });
    expect(aborted.status).toBe(204);
    const key = `/${R2_TEST.bucket}/masters/${video.videoId}/${created.body.uploadId}`;
    const last = (await recorded()).filter((r) => r.path === key).at(-1)!;
    expect(last).toMatchObject({ method: 'DELETE', signatureValid: true });
  });
});
