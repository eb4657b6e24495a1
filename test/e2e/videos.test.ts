import { describe, expect, it } from 'vitest';
import { api } from './support/http.ts';
import { adminToken, createVideo, viewerToken } from './support/videos-api.ts';

describe('video management over HTTP', () => {
  it('creates, reads, lists, updates and deletes a video, with an audit trail', async () => {
    const admin = await adminToken();
    const tag = `e2e-${crypto.randomUUID().slice(0, 8)}`;
    const created = await api('POST', '/videos', {
      token: admin,
      body: {
        title: 'Tears of Steel',
        description: 'Sci-fi short',
        tags: [tag],
        genres: ['scifi'],
        releaseYear: 2012,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', title: 'Tears of Steel', renditions: [] });
    const id = created.body.videoId;

    expect((await api('GET', `/videos/${id}`)).status).toBe(404);
    expect((await api('GET', `/videos/${id}`, { token: admin })).body.status).toBe('pending');

    await createVideo({ title: 'Second', tags: [tag] });
    const page = await api('GET', `/videos?limit=1&page=1&filter=tag:${tag}`, { token: admin });
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(1);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(page.headers.get('link')).toContain('rel="next"');
    expect((await api('GET', `/videos?filter=tag:${tag}`)).body).toEqual([]);
    const bad = await api('GET', '/videos?filter=colour:red');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');

    const updated = await api('PUT', `/videos/${id}`, {
      token: admin,
      body: { title: 'Tears of Steel (4K)' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.title).toBe('Tears of Steel (4K)');

    const audit = await api('GET', `/videos/${id}/audit`, { token: admin });
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual(['video.update', 'video.create']);
    expect(audit.headers.get('x-total-count')).toBe('2');

    const removed = await api('DELETE', `/videos/${id}`, { token: admin });
    expect(removed.status).toBe(204);
    expect(removed.body).toBe('');
    expect((await api('GET', `/videos/${id}`, { token: admin })).status).toBe(404);
  });

  it('gives a viewer 403 on create, edit, delete and upload, and a stranger 401', async () => {
    const viewer = await viewerToken();
    const { videoId } = await createVideo({ title: 'Not yours' });
    const attempts: [string, string, unknown][] = [
      ['POST', '/videos', { title: 'Mine now' }],
      ['PUT', `/videos/${videoId}`, { title: 'Defaced' }],
      ['DELETE', `/videos/${videoId}`, undefined],
      ['POST', `/videos/${videoId}/upload`, { contentType: 'video/mp4' }],
      ['POST', `/videos/${videoId}/upload/multipart`, { size: 10_000_000 }],
      ['POST', `/videos/${videoId}/transcode`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, { token: viewer, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const anonymous = await api(method, path, body ? { body } : {});
      expect(anonymous.status, `anonymous ${method} ${path}`).toBe(401);
    }
    expect((await api('GET', `/videos/${videoId}`, { token: await adminToken() })).body.title).toBe(
      'Not yours',
    );
  });

  it('uploads a large master in parts through presigned part URLs', async () => {
    const admin = await adminToken();
    const { videoId } = await createVideo({ title: 'Multipart' });
    const partSize = 5 * 1024 * 1024;
    const file = new Uint8Array(partSize + 4096).map((_, i) => (i * 31) % 251);
    const created = await api('POST', `/videos/${videoId}/upload/multipart`, {
      token: admin,
      body: { size: file.length, partSize, contentType: 'video/mp4' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ partSize, partCount: 2 });
    const { uploadId } = created.body;
    const signed = await api('POST', `/videos/${videoId}/upload/multipart/${uploadId}/parts`, {
      token: admin,
      body: { partNumbers: [1, 2] },
    });
    const parts: { partNumber: number; etag: string }[] = [];
    for (const p of signed.body.parts) {
      const chunk = file.slice((p.partNumber - 1) * partSize, p.partNumber * partSize);
      const res = await fetch(p.uploadUrl, { method: 'PUT', headers: p.headers, body: chunk });
      expect(res.status).toBe(200);
      parts.push({ partNumber: p.partNumber, etag: res.headers.get('etag')! });
    }
    const done = await api('POST', `/videos/${videoId}/upload/multipart/${uploadId}/complete`, {
      token: admin,
      body: { parts },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'uploaded', master: { version: uploadId, size: file.length } });
  });

  it('refuses user tokens, even an admin one, on the runner routes', async () => {
    const res = await api('POST', '/runners/jobs/claim', { token: await adminToken(), body: {} });
    expect(res.status).toBe(401);
  });
});
