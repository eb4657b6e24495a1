import path from 'node:path';
import { serviceProject } from '../../../test/service-project.ts';
import { LICENSE_SERVER_ORIGIN } from './test/support/license-server-origin.ts';

/**
 * Stand-ins for the videos and billing Workers, with the same RPC shape (playbackInfo,
 * getEntitlement): playback's own tests need fixed videos and entitlements; the real services are
 * exercised together in test/e2e/playback.test.ts.
 */
const videos = `
import { WorkerEntrypoint } from 'cloudflare:workers';
const rung = (h) => ({ name: h + 'p', height: h, width: Math.round(h * 16 / 9), playlist: h + 'p/index.m3u8' });
const VIDEOS = {
  vid_ready: { videoId: 'vid_ready', status: 'ready', outputPrefix: 'renditions/vid_ready/job_1/',
    masterPlaylist: 'master.m3u8', renditions: [rung(1080), rung(720), rung(480)], storyboard: null },
  vid_processing: { videoId: 'vid_processing', status: 'processing', outputPrefix: null,
    masterPlaylist: null, renditions: [], storyboard: null },
};
export default class extends WorkerEntrypoint {
  async fetch() { return new Response(null, { status: 404 }); }
  async playbackInfo(videoId) { return VIDEOS[videoId] ?? null; }
}`;
const billing = `
import { WorkerEntrypoint } from 'cloudflare:workers';
// \`until\` is filled in per call: module scope runs before the clock does.
const active = (maxResolution, maxStreams, untilMs = 86400000) => ({ active: true, planId: 'plan_' + maxResolution,
  maxResolution, maxStreams, untilMs, reason: 'active' });
const none = (reason) => ({ active: false, planId: null, maxResolution: 0, maxStreams: 0, until: null, reason });
const USERS = { usr_viewer: active(480, 2), usr_admin: active(1080, 4), usr_tiny: active(240, 1),
  usr_pastdue: none('payment_failed') };
export default class extends WorkerEntrypoint {
  async fetch() { return new Response(null, { status: 404 }); }
  async getEntitlement(userId) {
    const e = USERS[userId];
    if (!e) return none('no_subscription');
    if (!e.active) return e;
    const { untilMs, ...rest } = e;
    return { ...rest, until: new Date(Date.now() + untilMs).toISOString() };
  }
  // Tests change a user's entitlement as billing would (a plan change, a grace period ending).
  async setEntitlementForTest(userId, maxResolution, maxStreams, reason, untilMs) {
    USERS[userId] = reason ? none(reason) : active(maxResolution, maxStreams, untilMs);
  }
}`;

/** The secret the license proxy signs its grants with; the fake license server checks them. */
const DRM_PROXY_SECRET = 'test-drm-proxy-secret-0123456789';

export default serviceProject({
  dir: import.meta.dirname,
  bindings: {
    STREAM_SIGNING_KEY: 'test-stream-signing-key',
    // Version 2 current, version 1 still readable: the rotation test starts under version 1.
    CONTENT_KEY_MASTER: '2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,1:dGVzdC1tYXN0ZXIta2V5IQ==',
    // FairPlay stays unconfigured: its requests answer 501.
    WIDEVINE_LICENSE_URL: `${LICENSE_SERVER_ORIGIN}/widevine`,
    PLAYREADY_LICENSE_URL: `${LICENSE_SERVER_ORIGIN}/playready`,
    DRM_PROXY_SECRET,
    // Short enough for the slow license server to time out in a test.
    DRM_LICENSE_TIMEOUT_MS: '400',
  },
  miniflare: {
    // Every outbound request of the Worker reaches the fake license server; nothing else is reachable.
    outboundService: 'fake-license-server',
    workers: [
      { name: 'videos', modules: true, script: videos },
      { name: 'billing', modules: true, script: billing },
      {
        name: 'fake-license-server',
        modules: true,
        scriptPath: path.join(import.meta.dirname, 'test/support/fake-license-server.js'),
        bindings: { DRM_PROXY_SECRET },
      },
    ],
  },
});
