import { createDecipheriv } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Subscriber, subscribe, subscriber } from './support/billing-api.ts';
import { api } from './support/http.ts';
import { createVideo, putFile, requestUpload, waitForVideo } from './support/videos-api.ts';
import { ffprobe, makeClip, workDir } from './support/videos-clips.ts';

let viewer: Subscriber;
let videoId: string;

beforeAll(async () => {
  const dir = await workDir();
  const clip = await makeClip(dir, 4, 1280, 720);
  ({ videoId } = await createVideo({ title: 'playback e2e 720p' }));
  const put = await putFile(await requestUpload(videoId, clip, 'video/mp4'), clip);
  expect(put.status).toBe(200);
  viewer = await subscriber();
  // Basic: up to 480p, one stream.
  expect((await subscribe(viewer, 'basic', 'pm_card_visa')).status).toBe(201);
  await eventually(async () => {
    const e = await viewer.call('GET', `/subscriptions/${viewer.account.userId}/entitlement`);
    expect(e.body).toMatchObject({ active: true, maxResolution: 480 });
  });
  const video = await waitForVideo(videoId, (v) => v.status === 'ready' || v.status === 'failed', 150_000);
  expect(video.status, video.failureReason).toBe('ready');
}, 240_000);

/** Resolves a playlist's URIs against its own URL, as a player does. */
function uris(playlist: string, base: string): string[] {
  return playlist
    .split('\n')
    .map((l) => l.trim())
    .flatMap((l) => {
      if (!l) return [];
      if (!l.startsWith('#')) return [l];
      const m = /URI="([^"]+)"/.exec(l);
      return m ? [m[1]!] : [];
    })
    .map((u) => new URL(u, base).toString());
}

describe('playback, end to end', () => {
  it('plays master → variant → init → segment from the manifest URL alone, within the 480p plan', async () => {
    const m = await api(
      'GET',
      `/playback/${videoId}/manifest?token=${encodeURIComponent(viewer.account.token)}`,
    );
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    expect(m.body).toMatchObject({ maxHeight: 480 });
    const { manifestUrl, sessionId } = m.body;

    const master = await fetch(manifestUrl, { headers: { Origin: 'https://player.example' } });
    expect(master.status).toBe(200);
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    const masterText = await master.text();
    const heights = [...masterText.matchAll(/RESOLUTION=\d+x(\d+)/g)].map((x) => Number(x[1]));
    expect(heights.length).toBeGreaterThan(0);
    expect(Math.max(...heights)).toBeLessThanOrEqual(480);
    const variants = uris(masterText, manifestUrl);
    expect(variants.some((u) => u.includes('720p'))).toBe(false);

    const variantUrl = variants[0]!;
    const variant = await fetch(variantUrl);
    expect(variant.status).toBe(200);
    const playlist = await variant.text();
    const media = playlist
      .split('\n')
      .filter((l) => !l.startsWith('#EXT-X-KEY'))
      .join('\n');
    const [init, segment] = uris(media, variantUrl);
    const initRes = await fetch(init!);
    expect(initRes.status).toBe(200);
    expect(initRes.headers.get('content-type')).toBe('video/mp4');
    expect((await initRes.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const seg = await fetch(segment!, { headers: { Range: 'bytes=0-99' } });
    expect(seg.status).toBe(206);
    expect((await seg.arrayBuffer()).byteLength).toBe(100);

    // Segments are AES-128 encrypted; the key sits under the same stream URL, for this viewer only.
    const keyTag = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)",IV=0x([0-9a-fA-F]{32})/.exec(playlist);
    expect(keyTag, playlist).not.toBeNull();
    const keyRes = await fetch(new URL(keyTag![1]!, variantUrl));
    expect(keyRes.status).toBe(200);
    expect(keyRes.headers.get('cache-control')).toBe('no-store');
    const key = Buffer.from(await keyRes.arrayBuffer());
    expect(key.byteLength).toBe(16);
    const encrypted = Buffer.from(await (await fetch(segment!)).arrayBuffer());
    const decipher = createDecipheriv('aes-128-cbc', key, Buffer.from(keyTag![2]!, 'hex'));
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    const dir = await workDir();
    const file = path.join(dir, 'decrypted.mp4');
    await writeFile(file, Buffer.concat([Buffer.from(await (await fetch(init!)).arrayBuffer()), plain]));
    const probe = await ffprobe(file);
    expect(probe.streams.map((st) => st.codec_type).sort()).toEqual(['audio', 'video']);
    // And the player's way: ffprobe reads the encrypted variant through the stream URL, key included.
    expect((await ffprobe(variantUrl)).streams.some((st) => st.codec_type === 'video')).toBe(true);

    // The 720p rendition exists but is not this plan's: neither its playlist nor its segments.
    const hidden = variantUrl.replace(/\/[^/]+\/index\.m3u8$/, '/720p/index.m3u8');
    expect((await fetch(hidden)).status).toBe(403);
    expect((await fetch(hidden.replace('index.m3u8', 'init.mp4'))).status).toBe(403);

    // One stream on Basic: a second is refused until the first ends.
    const second = await viewer.call('GET', `/playback/${videoId}/manifest`);
    expect(second.status).toBe(429);
    expect((await viewer.call('POST', `/playback/sessions/${sessionId}/heartbeat`)).status).toBe(200);
    expect((await viewer.call('DELETE', `/playback/sessions/${sessionId}`)).status).toBe(204);
    const third = await viewer.call('GET', `/playback/${videoId}/manifest`);
    expect(third.status).toBe(200);
    await viewer.call('DELETE', `/playback/sessions/${third.body.sessionId}`);
  });

  it('answers a ClearKey license through the gateway: the served key, rate limited, bad input 400', async () => {
    const m = await viewer.call('GET', `/playback/${videoId}/manifest`);
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    const [kid] = m.body.keyIds as string[];
    expect(kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    try {
      // The license the EME way: the message bytes in base64, the session of the manifest kept alive.
      const message = Buffer.from(JSON.stringify({ kids: [kid], type: 'temporary' })).toString('base64');
      const r = await viewer.call('POST', '/drm/license', {
        body: { videoId, keySystem: 'org.w3.clearkey', licenseRequest: message, sessionId: m.body.sessionId },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('ratelimit-limit')).toBe('20');
      const set = JSON.parse(Buffer.from(r.body.licenseResponse, 'base64').toString('utf8'));
      expect(set.keys).toHaveLength(1);
      expect(set.keys[0]).toMatchObject({ kty: 'oct', kid });
      // It is the key the stream endpoint serves for the playlists' EXT-X-KEY.
      const master = await (await fetch(m.body.manifestUrl)).text();
      const variantUrl = uris(master, m.body.manifestUrl)[0]!;
      const keyUri = /#EXT-X-KEY:[^\n]*URI="([^"]+)"/.exec(await (await fetch(variantUrl)).text())![1]!;
      const served = Buffer.from(await (await fetch(new URL(keyUri, variantUrl))).arrayBuffer());
      expect(Buffer.from(set.keys[0].k, 'base64url').equals(served)).toBe(true);

      const malformed = await viewer.call('POST', '/drm/license', {
        body: { videoId, licenseRequest: 'this is not a license request' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toContain('application/problem+json');
      expect(malformed.body.errors[0].path).toBe('licenseRequest');
      const anonymous = await api('POST', '/drm/license', { body: { videoId, licenseRequest: message } });
      expect(anonymous.status).toBe(401);
      const unconfigured = await viewer.call('POST', '/drm/license', {
        body: { videoId, system: 'widevine', licenseRequest: 'AAAA' },
      });
      expect(unconfigured.status).toBe(501);
    } finally {
      await viewer.call('DELETE', `/playback/sessions/${m.body.sessionId}`);
    }
  });

  it('refuses a viewer without a subscription (403 naming the reason)', async () => {
    const nobody = await subscriber();
    const r = await nobody.call('GET', `/playback/${videoId}/manifest`);
    expect(r.status).toBe(403);
    expect(r.body.reason).toBe('no_subscription');
  });
});
