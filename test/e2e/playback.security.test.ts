/**
 * Attacks on playback through the running platform: forged, re-signed and expired stream URLs,
 * escaping a video's outputs, borrowing one video's URL for another, credentials over CORS, and
 * manifests without a valid access token or subscription.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { subscriber } from './support/billing-api.ts';
import { api, baseUrl } from './support/http.ts';

const key = () => inject('secrets').STREAM_SIGNING_KEY!;
const soon = () => Math.floor(Date.now() / 1000) + 600;

function sign(claims: Record<string, unknown>, secret = key()): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', secret).update(`stream-url.v1.${payload}`).digest('base64url');
  return `${payload}.${mac}`;
}

const claims = (over: Record<string, unknown> = {}) => ({
  sub: 'usr_attacker',
  vid: 'vid_victim',
  pre: 'renditions/vid_victim/job_x/',
  mst: 'master.m3u8',
  mh: 480,
  den: ['1080p', '720p'],
  sid: 'pbs_x',
  exp: soon(),
  ...over,
});

const stream = (token: string, rest: string, init?: RequestInit) =>
  fetch(`${baseUrl()}/stream/${token}/${rest}`, init);

describe('playback attacks', () => {
  it('raising the plan height inside a signed token breaks the signature', async () => {
    const [, mac] = sign(claims()).split('.');
    const forged = `${Buffer.from(JSON.stringify(claims({ mh: 2160, den: [] }))).toString('base64url')}.${mac}`;
    expect((await stream(forged, 'vid_victim/1080p/index.m3u8')).status).toBe(403);
  });

  it('a token signed with a guessed key is refused', async () => {
    expect((await stream(sign(claims(), 'guessed-key'), 'vid_victim/master.m3u8')).status).toBe(403);
  });

  it('replaying an expired stream URL is refused', async () => {
    const old = sign(claims({ exp: Math.floor(Date.now() / 1000) - 5 }));
    expect((await stream(old, 'vid_victim/master.m3u8')).status).toBe(403);
  });

  it('a rendition above the plan is refused even when named directly', async () => {
    for (const p of ['720p/index.m3u8', '1080p/init.mp4', '720p/seg_00001.m4s'])
      expect((await stream(sign(claims()), `vid_victim/${p}`)).status, p).toBe(403);
  });

  it("borrowing one video's stream URL for another video is refused", async () => {
    expect((await stream(sign(claims()), 'vid_other/480p/index.m3u8')).status).toBe(403);
  });

  it("escaping the video's outputs with encoded slashes or dot segments never serves an object", async () => {
    const t = sign(claims());
    for (const p of [
      'vid_victim/..%2F..%2Fvid_other%2Fjob_y%2F480p%2Findex.m3u8',
      'vid_victim/480p%2F..%2F..%2F..%2Fmasters%2Fvid_victim%2Fv1',
      'vid_victim/%2e%2e/%2e%2e/masters/vid_victim/v1',
      'vid_victim/480p%5C..%5Cindex.m3u8',
    ])
      expect([403, 404], p).toContain((await stream(t, p)).status);
  });

  it('stream responses never allow credentials across origins', async () => {
    const res = await stream(sign(claims()), 'vid_victim/master.m3u8', {
      headers: { Origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a manifest with a forged access token in ?token= is 401', async () => {
    expect((await api('GET', '/playback/vid_victim/manifest?token=not.a.jwt')).status).toBe(401);
  });

  it('a viewer without a subscription gets no manifest (403)', async () => {
    const nobody = await subscriber();
    const r = await nobody.call('GET', '/playback/vid_nonexistent/manifest');
    expect([403, 404]).toContain(r.status);
  });

  it("ending another account's session is not possible (404)", async () => {
    const a = await subscriber();
    expect((await a.call('DELETE', '/playback/sessions/pbs_someone_else')).status).toBe(404);
  });
});
