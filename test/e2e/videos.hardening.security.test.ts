/**
 * Attacks on the videos API through the running platform: replaying a spent upload URL, hostile
 * characters in the text people type, and numbers no ffprobe would ever report.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { describe, expect, inject, it, vi } from 'vitest';
import { client, signUp } from './support/auth-client.ts';
import { api, baseUrl } from './support/http.ts';
import { adminToken, createVideo } from './support/videos-api.ts';

/** A GET grant for any key, signed as the videos service signs a runner's master URL. */
function readUrl(key: string): string {
  const grant = { method: 'GET', key, exp: Math.floor(Date.now() / 1000) + 600 };
  const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
  const mac = createHmac('sha256', inject('secrets').STORAGE_SIGNING_KEY!)
    .update(`storage-url.v1.${payload}`)
    .digest('base64url');
  return `${baseUrl()}/storage/${payload}.${mac}/${key}`;
}

async function requestUploadUrl(videoId: string, size: number) {
  const res = await api('POST', `/videos/${videoId}/upload`, {
    token: await adminToken(),
    body: { contentType: 'video/mp4', size },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { uploadUrl: string; uploadId: string; headers: Record<string, string> };
}

const put = (url: string, body: string) =>
  fetch(url, { method: 'PUT', body, headers: { 'content-type': 'video/mp4' } });

/** A PUT that announces `announced` bytes, sends `sent`, then drops the connection. */
function abandonedPut(url: string, announced: number, sent: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4', 'content-length': String(announced) },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(sent, () => setTimeout(() => req.destroy(), 200));
  });
}

describe('upload URLs are single use', () => {
  it('a second PUT to a spent upload URL cannot replace the master', async () => {
    const { videoId } = await createVideo({ title: 'spent URL' });
    const first = 'the real master.';
    const { uploadUrl, uploadId } = await requestUploadUrl(videoId, first.length);
    expect((await put(uploadUrl, first)).status).toBe(200);

    const replay = await put(uploadUrl, 'an evil master!!');
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');

    const stored = await fetch(readUrl(`masters/${videoId}/${uploadId}`));
    expect(await stored.text()).toBe(first);
    const video = await api('GET', `/videos/${videoId}`, { token: await adminToken() });
    expect(video.body.master).toMatchObject({ version: uploadId, size: first.length });
  });

  it('a PUT that broke off may be retried on the same URL', async () => {
    const { videoId } = await createVideo({ title: 'retried URL' });
    const body = 'a master sent twice';
    const { uploadUrl, uploadId } = await requestUploadUrl(videoId, body.length);
    await abandonedPut(uploadUrl, body.length, body.slice(0, 5));
    // Until the gateway has seen the broken write end it still holds the upload: 409, then 200.
    const statuses: number[] = [];
    await vi.waitFor(
      async () => {
        const retried = await put(uploadUrl, body);
        statuses.push(retried.status);
        expect(retried.status, await retried.clone().text()).toBe(200);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(statuses.slice(0, -1).every((s) => s === 409)).toBe(true);
    expect(await (await fetch(readUrl(`masters/${videoId}/${uploadId}`))).text()).toBe(body);
  });
});

describe('text fields refuse hostile characters with the field named', () => {
  const fieldsOf = (res: { body: { errors?: { path: string }[] } }) => res.body.errors?.map((e) => e.path);

  it('a title with a bidi override is refused with the field named', async () => {
    const res = await api('POST', '/videos', {
      token: await adminToken(),
      body: { title: 'trailer\u202e4pm.exe', description: '', tags: [] },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['title']);
  });

  it('a description with NUL, a tag with a newline and a genre with a lone surrogate are refused', async () => {
    const res = await api('POST', '/videos', {
      token: await adminToken(),
      body: { title: 'ok', description: 'a\u0000b', tags: ['a\nb'], genres: ['x\ud800'] },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)?.sort()).toEqual(['description', 'genres.0', 'tags.0']);
  });

  it('an update cannot smuggle a C1 control into a title or a maturity rating', async () => {
    const { videoId } = await createVideo();
    const res = await api('PUT', `/videos/${videoId}`, {
      token: await adminToken(),
      body: { title: 'a\u009bb', maturityRating: 'PG\u2066' },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)?.sort()).toEqual(['maturityRating', 'title']);
  });

  it('a multi-line description keeps its newlines and tabs', async () => {
    const { videoId } = await createVideo({ description: 'line one\n\tline two' });
    const res = await api('GET', `/videos/${videoId}`, { token: await adminToken() });
    expect(res.body.description).toBe('line one\n\tline two');
  });

  it('a signup name with a bidi isolate is refused with the field named', async () => {
    await expect(signUp(client(), { name: 'Ada\u2067 admin' })).rejects.toThrow(/400.*"path":"name"/);
  });
});

describe('numbers a runner reports are bounded', () => {
  async function drainedRunner(): Promise<string> {
    const admin = await adminToken();
    const created = await api('POST', '/runners/registration-tokens', { token: admin, body: {} });
    expect(created.status).toBe(201);
    const registered = await api('POST', '/runners/register', {
      body: { registrationToken: created.body.registrationToken, name: 'e2e-hardening' },
    });
    expect(registered.status).toBe(201);
    // Drained: it must never take a job the platform's own runner should do.
    await api('PUT', `/runners/${registered.body.runnerId}/drain`, { token: admin });
    return registered.body.runnerToken as string;
  }

  const report = (renditionChanges: Record<string, unknown>) => ({
    leaseToken: 'lease',
    durationSec: 6,
    masterPlaylist: 'master.m3u8',
    renditions: [
      {
        name: '720p',
        width: 1280,
        height: 720,
        bandwidth: 4_000_000,
        averageBandwidth: 3_000_000,
        codecs: 'avc1.64001f,mp4a.40.2',
        frameRate: 30,
        playlist: '720p/index.m3u8',
        segments: 3,
        bytes: 2_250_000,
        ...renditionChanges,
      },
    ],
    thumbnails: { poster: 'poster.jpg' },
    source: { width: 1280, height: 720, codec: 'h264', frameRate: 30, hasAudio: true },
  });

  it('a runner cannot report a 100000x100000 rendition', async () => {
    const token = await drainedRunner();
    const res = await api('POST', '/runners/jobs/job_e2e_hardening/complete', {
      token,
      body: report({ width: 100_000, height: 100_000 }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'renditions.0.height',
      'renditions.0.width',
    ]);
  });

  it('a runner cannot report a terabit bandwidth, 1000 fps or a playlist line in CODECS', async () => {
    const token = await drainedRunner();
    const res = await api('POST', '/runners/jobs/job_e2e_hardening/complete', {
      token,
      body: report({ bandwidth: 1e12, frameRate: 1000, codecs: 'avc1"\n#EXT-X-ENDLIST' }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'renditions.0.bandwidth',
      'renditions.0.codecs',
      'renditions.0.frameRate',
    ]);
  });

  it('a runner cannot register under a name with terminal escapes', async () => {
    const admin = await adminToken();
    const created = await api('POST', '/runners/registration-tokens', { token: admin, body: {} });
    const res = await api('POST', '/runners/register', {
      body: { registrationToken: created.body.registrationToken, name: 'host\u001b]0;owned\u0007' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['name']);
  });
});
