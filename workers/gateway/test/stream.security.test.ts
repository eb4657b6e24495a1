import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { type StreamClaims, signStreamToken } from '../../lib/stream-token.ts';
import { createApp } from '../src/app.ts';

const app = createApp();
const ORIGIN = 'http://gateway.test';
const PREFIX = 'renditions/vid_s1/job_1/';
const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080
1080p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=854x480
480p/index.m3u8
`;
const SEGMENT = new Uint8Array(1000).map((_, i) => i % 251);

async function get(url: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), env as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function token(over: Partial<StreamClaims> = {}, secret = env.STREAM_SIGNING_KEY): Promise<string> {
  return signStreamToken(secret, {
    sub: 'usr_v',
    vid: 'vid_s1',
    pre: PREFIX,
    mst: 'master.m3u8',
    mh: 480,
    den: ['1080p', '720p'],
    sid: 'pbs_1',
    exp: Math.floor(Date.now() / 1000) + 600,
    ...over,
  });
}

beforeAll(async () => {
  await env.MEDIA.put(`${PREFIX}master.m3u8`, MASTER);
  for (const r of ['1080p', '720p', '480p']) {
    await env.MEDIA.put(`${PREFIX}${r}/index.m3u8`, '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg_000.m4s\n');
    await env.MEDIA.put(`${PREFIX}${r}/init.mp4`, SEGMENT);
    await env.MEDIA.put(`${PREFIX}${r}/seg_000.m4s`, SEGMENT);
  }
  await env.MEDIA.put('renditions/vid_other/job_9/480p/seg_000.m4s', SEGMENT);
});

describe('stream endpoint', () => {
  it('serves the master cut to the plan, with CORS * for players on other origins', async () => {
    const t = await token();
    const res = await get(`${ORIGIN}/stream/${t}/vid_s1/master.m3u8`, {
      headers: { Origin: 'https://player.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = await res.text();
    expect(text).toContain('480p/index.m3u8');
    expect(text).not.toContain('720p');
    expect(text).not.toContain('1080p');
  });

  it('serves variant, init and segments with Range (206/416) and HEAD; segments cached immutably', async () => {
    const t = await token();
    const base = `${ORIGIN}/stream/${t}/vid_s1/480p`;
    expect((await get(`${base}/index.m3u8`)).status).toBe(200);
    const seg = await get(`${base}/seg_000.m4s`, { headers: { Range: 'bytes=0-99' } });
    expect(seg.status).toBe(206);
    expect(seg.headers.get('content-range')).toBe('bytes 0-99/1000');
    expect(seg.headers.get('cache-control')).toContain('immutable');
    expect((await get(`${base}/init.mp4`, { method: 'HEAD' })).status).toBe(200);
    expect((await get(`${base}/seg_000.m4s`, { headers: { Range: 'bytes=5000-' } })).status).toBe(416);
  });

  it('keeps segments in the edge cache, shared by every token of the video', async () => {
    const key = `${PREFIX}480p/seg_cached.m4s`;
    await env.MEDIA.put(key, SEGMENT);
    const first = await get(`${ORIGIN}/stream/${await token()}/vid_s1/480p/seg_cached.m4s`);
    expect(first.status).toBe(200);
    expect((await first.arrayBuffer()).byteLength).toBe(1000);
    await env.MEDIA.delete(key);
    const again = await get(`${ORIGIN}/stream/${await token({ sid: 'pbs_2' })}/vid_s1/480p/seg_cached.m4s`);
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(1000);
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses renditions above the plan (403)', async () => {
    const t = await token();
    for (const p of ['1080p/index.m3u8', '720p/seg_000.m4s', '720p/init.mp4'])
      expect((await get(`${ORIGIN}/stream/${t}/vid_s1/${p}`)).status).toBe(403);
  });

  it('refuses a tampered token, a token signed with another key, and an expired one', async () => {
    const t = await token();
    const [payload, mac] = t.split('.');
    const forged = btoa(
      atob(payload!.replaceAll('-', '+').replaceAll('_', '/')).replace('"mh":480', '"mh":1080'),
    )
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replaceAll('=', '');
    expect((await get(`${ORIGIN}/stream/${forged}.${mac}/vid_s1/1080p/index.m3u8`)).status).toBe(403);
    expect((await get(`${ORIGIN}/stream/${await token({}, 'other-key')}/vid_s1/master.m3u8`)).status).toBe(
      403,
    );
    const old = await token({ exp: Math.floor(Date.now() / 1000) - 1 });
    expect((await get(`${ORIGIN}/stream/${old}/vid_s1/master.m3u8`)).status).toBe(403);
  });

  it('refuses path traversal, encoded slashes and other videos', async () => {
    const t = await token();
    // Dot segments the URL parser resolves leave /stream/ altogether: no route (404), never the object.
    for (const p of [
      'vid_s1/..%2F..%2Fvid_other%2Fjob_9%2F480p%2Fseg_000.m4s',
      'vid_s1/480p%2Fseg_000.m4s',
      'vid_s1/%2E%2E/%2E%2E/%2E%2E/vid_other/job_9/480p/seg_000.m4s',
      'vid_other/480p/seg_000.m4s',
    ])
      expect([403, 404], p).toContain((await get(`${ORIGIN}/stream/${t}/${p}`)).status);
  });
});
