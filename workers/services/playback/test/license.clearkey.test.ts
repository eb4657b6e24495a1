import { beforeAll, describe, expect, it } from 'vitest';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { LicenseRequest } from '../src/contract.ts';
import { clearKeyId } from '../src/keys.ts';
import { b64, disentitle, entitle, hex, unb64 } from './support/licenses.ts';
import { call, ORIGIN, service, viewer } from './support/service.ts';

const as = (userId: string) => testCaller(ORIGIN, userId, ['viewer']);
const license = (body: Record<string, unknown>, who = viewer) => call('playback.license', { body }, who);

let kid: string;
let keyHex: string;

beforeAll(async () => {
  const key = await service.contentKeyForJob('vid_ready');
  keyHex = key.keyHex;
  kid = await clearKeyId(key.keyId);
});

describe('POST /drm/license, ClearKey', () => {
  it('answers the W3C JSON Web Key Set of the video’s key, as an object for an object', async () => {
    const r = await license({ videoId: 'vid_ready', licenseRequest: { kids: [kid], type: 'temporary' } });
    expect(r.status).toBe(200);
    expect(r.body.system).toBe('clearkey');
    expect(r.body.licenseResponse).toEqual({
      keys: [{ kty: 'oct', kid, k: expect.any(String) }],
      type: 'temporary',
    });
    const k = (r.body.licenseResponse as { keys: { k: string }[] }).keys[0]!.k;
    expect(k).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hex(unb64(k))).toBe(keyHex);
    expect(r.headers?.['Cache-Control']).toBe('no-store');
    expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('takes the base64 bytes of an EME message and answers base64, keySystem naming ClearKey', async () => {
    const message = b64(JSON.stringify({ kids: [kid], type: 'temporary' }));
    const r = await license({ videoId: 'vid_ready', keySystem: 'org.w3.clearkey', licenseRequest: message });
    expect(r.status).toBe(200);
    const set = JSON.parse(new TextDecoder().decode(unb64(r.body.licenseResponse as string)));
    expect(set).toMatchObject({ keys: [{ kty: 'oct', kid }], type: 'temporary' });
    expect(hex(unb64(set.keys[0].k))).toBe(keyHex);
  });

  it('is cached per viewer and key, and never past the entitlement', async () => {
    const who = as('usr_flip');
    await entitle('usr_flip', 720);
    const body = { videoId: 'vid_ready', licenseRequest: { kids: [kid] } };
    const first = await license(body, who);
    expect(first.status).toBe(200);
    expect(first.headers?.['X-License-Cache']).toBe('miss');
    const again = await license(body, who);
    expect(again.headers?.['X-License-Cache']).toBe('hit');
    expect(again.body.licenseResponse).toEqual(first.body.licenseResponse);
    // Another viewer has a cache entry of their own.
    expect((await license(body, viewer)).status).toBe(200);
    // The grace period ends: the cached license is not served.
    await disentitle('usr_flip', 'payment_failed');
    const refused = await license(body, who);
    expect(refused.status).toBe(403);
    expect(refused.problem?.extensions).toMatchObject({ reason: 'payment_failed' });
    // Entitled again on another plan: a new license, not the old plan's cached one.
    await entitle('usr_flip', 1080);
    expect((await license(body, who)).headers?.['X-License-Cache']).toBe('miss');
  });

  it('ends with the entitlement when that ends first, or after LICENSE_TTL_SEC', async () => {
    await entitle('usr_ending', 720, 2, 5 * 60_000);
    const body = { videoId: 'vid_ready', licenseRequest: { kids: [kid] } };
    const ending = await license(body, as('usr_ending'));
    expect(Date.parse(ending.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(Date.parse(ending.body.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);
    const lasting = await license(body, viewer);
    expect(Date.parse(lasting.body.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(Date.parse(lasting.body.expiresAt) - Date.now()).toBeGreaterThan(800_000);
  });

  it('keeps the playback session alive and counts it against the plan', async () => {
    const who = as('usr_licensed');
    await entitle('usr_licensed', 720, 1);
    const m = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect(m.status).toBe(200);
    expect(m.body.keyIds).toEqual([kid]);
    const body = { videoId: 'vid_ready', licenseRequest: { kids: [kid] } };
    expect((await license({ ...body, sessionId: m.body.sessionId }, who)).status).toBe(200);
    const other = await license({ ...body, sessionId: 'pbs_another' }, who);
    expect(other.status).toBe(429);
    expect(other.problem?.extensions).toMatchObject({ reason: 'max_streams', maxStreams: 1 });
    await call('playback.endSession', { params: { sessionId: m.body.sessionId } }, who);
  });
});

describe('POST /drm/license, refusals', () => {
  it('refuses key ids that are not the video’s with 404', async () => {
    const stranger = await clearKeyId('ck_someoneelse');
    const r = await license({ videoId: 'vid_ready', licenseRequest: { kids: [kid, stranger] } });
    expect(r.status).toBe(404);
    expect(r.problem?.extensions).toMatchObject({ unknownKids: [stranger] });
  });

  it('runs the manifest’s checks: unknown video, not ready, no entitlement, plan', async () => {
    const body = (videoId: string) => ({ videoId, licenseRequest: { kids: [kid] } });
    expect((await license(body('vid_nope'))).status).toBe(404);
    expect((await license(body('vid_processing'))).status).toBe(409);
    const none = await license(body('vid_ready'), as('usr_stranger'));
    expect(none.status).toBe(403);
    expect(none.problem?.extensions).toMatchObject({ reason: 'no_subscription' });
    const late = await license(body('vid_ready'), as('usr_pastdue'));
    expect(late.problem?.extensions).toMatchObject({ reason: 'payment_failed' });
    const tiny = await license(body('vid_ready'), as('usr_tiny'));
    expect(tiny.problem?.extensions).toMatchObject({ reason: 'resolution_not_in_plan' });
  });

  it('offers no offline licenses', async () => {
    const r = await license({
      videoId: 'vid_ready',
      licenseRequest: { kids: [kid], type: 'persistent-license' },
    });
    expect(r.status).toBe(403);
    expect(r.problem?.extensions).toMatchObject({ reason: 'persistent_license_not_allowed' });
  });

  it.each([
    ['text that is no base64', 'not base64 at all!'],
    ['base64 of no JSON', b64('kids please')],
    ['no kids', { kids: [] }],
    ['a key id of the wrong length', { kids: ['AAAA'] }],
    ['a hex key id', { kids: ['00112233445566778899aabbccddeeff'] }],
    ['an unknown type', { kids: ['AAAAAAAAAAAAAAAAAAAAAA'], type: 'forever' }],
  ])('answers 400 naming licenseRequest for %s', async (_, licenseRequest) => {
    const r = await license({ videoId: 'vid_ready', licenseRequest });
    expect(r.status).toBe(400);
    expect(r.problem?.errors?.[0]?.path).toMatch(/^licenseRequest/);
  });

  it('answers 400 for an unknown or contradicting key system', async () => {
    const licenseRequest = { kids: [kid] };
    const unknown = await license({ videoId: 'vid_ready', keySystem: 'com.example.drm', licenseRequest });
    expect(unknown.status).toBe(400);
    const both = await license({
      videoId: 'vid_ready',
      system: 'clearkey',
      keySystem: 'com.widevine.alpha',
      licenseRequest,
    });
    expect(both.status).toBe(400);
  });

  it('leaves bodies that fail the schema to the gateway’s 400', () => {
    expect(LicenseRequest.safeParse({ licenseRequest: { kids: [kid] } }).success).toBe(false);
    expect(LicenseRequest.safeParse({ videoId: 'vid_ready', licenseRequest: 42 }).success).toBe(false);
    expect(LicenseRequest.safeParse({ videoId: 'vid_ready', licenseRequest: '' }).success).toBe(false);
    expect(
      LicenseRequest.safeParse({ videoId: 'vid_ready', licenseRequest: 'x', system: 'drmtoday' }).success,
    ).toBe(false);
  });
});
