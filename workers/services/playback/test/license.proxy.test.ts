import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { clearKeyId } from '../src/keys.ts';
import { GRANT_ISSUER } from '../src/licenses/proxy.ts';
import { b64, disentitle, entitle, licenseServer, licenseServerRequests, unb64 } from './support/licenses.ts';
import { call, ORIGIN, service, viewer } from './support/service.ts';

const as = (userId: string) => testCaller(ORIGIN, userId, ['viewer']);
const license = (body: Record<string, unknown>, who = viewer) => call('playback.license', { body }, who);

/** A challenge as a CDM makes one: opaque bytes, different every time. */
const challenge = () => b64(crypto.getRandomValues(new Uint8Array(512)));
const text = (base64: string) => new TextDecoder().decode(unb64(base64));

let kid: string;
beforeAll(async () => {
  kid = await clearKeyId((await service.contentKeyForJob('vid_ready')).keyId);
});
beforeEach(() => licenseServer('ok'));

describe('POST /drm/license, proxied to the license servers', () => {
  it('sends Widevine’s challenge unchanged with a signed grant and answers the license in base64', async () => {
    const c = challenge();
    const r = await license({ videoId: 'vid_ready', system: 'widevine', licenseRequest: c });
    expect(r.status).toBe(200);
    expect(r.body.system).toBe('widevine');
    expect(text(r.body.licenseResponse)).toBe(`widevine-license:usr_viewer:vid_ready:${c}`);
    const [seen, ...more] = await licenseServerRequests();
    expect(more).toEqual([]);
    expect(seen).toMatchObject({
      system: 'widevine',
      status: 200,
      challenge: c,
      contentType: 'application/octet-stream',
    });
    expect(seen!.claims).toMatchObject({
      iss: GRANT_ISSUER,
      aud: 'widevine',
      sub: 'usr_viewer',
      vid: 'vid_ready',
      kids: [kid],
      policy: { planId: 'plan_480', maxHeight: 480, maxStreams: 2, persistent: false },
    });
    expect(seen!.claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 61_000);
  });

  it('chooses the system by its EME key system name: PlayReady', async () => {
    const c = challenge();
    const r = await license({
      videoId: 'vid_ready',
      keySystem: 'com.microsoft.playready',
      licenseRequest: c,
    });
    expect(r.status).toBe(200);
    expect(text(r.body.licenseResponse)).toBe(`playready-license:usr_viewer:vid_ready:${c}`);
  });

  it('caches a license per viewer and challenge for as long as the server allows', async () => {
    const who = as('usr_cached');
    await entitle('usr_cached', 720);
    const body = { videoId: 'vid_ready', system: 'widevine', licenseRequest: challenge() };
    const first = await license(body, who);
    const again = await license(body, who);
    expect([first.headers?.['X-License-Cache'], again.headers?.['X-License-Cache']]).toEqual(['miss', 'hit']);
    expect(again.body.licenseResponse).toBe(first.body.licenseResponse);
    expect(await licenseServerRequests()).toHaveLength(1);
    // Another challenge is another license.
    expect((await license({ ...body, licenseRequest: challenge() }, who)).headers?.['X-License-Cache']).toBe(
      'miss',
    );
    // A viewer no longer entitled is refused before the cache is read.
    await disentitle('usr_cached', 'expired');
    const refused = await license(body, who);
    expect(refused.status).toBe(403);
    expect(refused.problem?.extensions).toMatchObject({ reason: 'expired' });
    expect(await licenseServerRequests()).toHaveLength(2);
  });

  it('does not cache what the server marks no-store', async () => {
    await licenseServer('no-store');
    const body = { videoId: 'vid_ready', system: 'widevine', licenseRequest: challenge() };
    await license(body);
    expect((await license(body)).headers?.['X-License-Cache']).toBe('miss');
    expect(await licenseServerRequests()).toHaveLength(2);
  });

  it('asks no license server for a viewer without an entitlement', async () => {
    const r = await license(
      { videoId: 'vid_ready', system: 'widevine', licenseRequest: challenge() },
      as('usr_pastdue'),
    );
    expect(r.status).toBe(403);
    expect(await licenseServerRequests()).toEqual([]);
  });
});

describe('POST /drm/license, license server trouble', () => {
  const ask = () => license({ videoId: 'vid_ready', system: 'widevine', licenseRequest: challenge() });

  it('answers 501 for a system without a license server', async () => {
    const r = await license({ videoId: 'vid_ready', system: 'fairplay', licenseRequest: challenge() });
    expect(r.status).toBe(501);
    expect(r.problem?.extensions).toMatchObject({ reason: 'drm_system_not_configured', system: 'fairplay' });
  });

  it('answers 502 when the server fails or answers nothing', async () => {
    await licenseServer('fail');
    const failed = await ask();
    expect(failed.status).toBe(502);
    expect(failed.problem?.extensions).toMatchObject({
      reason: 'license_server_failed',
      upstreamStatus: 500,
    });
    await licenseServer('empty');
    expect((await ask()).status).toBe(502);
  });

  it('answers 504 when the server is slower than DRM_LICENSE_TIMEOUT_MS', async () => {
    await licenseServer('slow');
    const r = await ask();
    expect(r.status).toBe(504);
    expect(r.problem?.extensions).toMatchObject({ reason: 'license_server_timeout' });
  });

  it('passes the server’s rejection of a challenge (400) and its refusal (403) on', async () => {
    await licenseServer('reject');
    expect((await ask()).status).toBe(400);
    await licenseServer('refuse');
    const refused = await ask();
    expect(refused.status).toBe(403);
    expect(refused.problem?.extensions).toMatchObject({ reason: 'license_refused' });
  });

  it('answers 400 for a challenge that is not base64 text, before asking the server', async () => {
    for (const licenseRequest of ['%%% not base64 %%%', { kids: [kid] }]) {
      const r = await license({ videoId: 'vid_ready', system: 'widevine', licenseRequest });
      expect(r.status).toBe(400);
      expect(r.problem?.errors?.[0]?.path).toBe('licenseRequest');
    }
    expect(await licenseServerRequests()).toEqual([]);
  });
});
