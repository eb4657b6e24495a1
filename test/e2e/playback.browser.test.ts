/**
 * Headless Chromium plays an encrypted, transcoded video through hls.js on a page of another origin:
 * the stream URL alone (CORS, playlists, AES-128 keys, segments) is enough for a real player.
 * The browser is the system's Chromium (/usr/bin/chromium), never a downloaded one.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Subscriber, subscribe, subscriber } from './support/billing-api.ts';
import { type PlayerSite, startPlayerSite } from './support/playback-player.ts';
import { createVideo, putFile, requestUpload, waitForVideo } from './support/videos-api.ts';
import { makeClip, workDir } from './support/videos-clips.ts';

interface PlayerState {
  supported: boolean;
  levels: number[];
  errors: { type?: string; details: string; fatal: boolean }[];
  fatal: string | null;
  buffered: number[];
}

// What the functions evaluated in the page see (this file compiles without the DOM library).
interface PageVideo {
  currentTime: number;
  videoHeight: number;
  play(): Promise<void>;
}
declare const document: { querySelector(selector: 'video'): PageVideo | null };
declare const window: { player: PlayerState; hls: { currentLevel: number } };

let browser: Browser;
let site: PlayerSite;
let viewer: Subscriber;
let videoId: string;

beforeAll(async () => {
  const dir = await workDir();
  // 8 s at 480p: long enough to play past 5 s, small enough to transcode fast, and two rungs.
  const clip = await makeClip(dir, 8, 854, 480);
  ({ videoId } = await createVideo({ title: 'playback browser e2e' }));
  expect((await putFile(await requestUpload(videoId, clip, 'video/mp4'), clip)).status).toBe(200);
  viewer = await subscriber();
  expect((await subscribe(viewer, 'basic', 'pm_card_visa')).status).toBe(201);
  await eventually(async () => {
    const e = await viewer.call('GET', `/subscriptions/${viewer.account.userId}/entitlement`);
    expect(e.body).toMatchObject({ active: true });
  });
  site = await startPlayerSite();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const video = await waitForVideo(videoId, (v) => v.status === 'ready' || v.status === 'failed', 150_000);
  expect(video.status, video.failureReason).toBe('ready');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

const state = (page: Page) => page.evaluate(() => window.player);

describe('playback in a browser', () => {
  it('plays past 5 s through hls.js from another origin, and each allowed level when forced', async () => {
    const m = await viewer.call('GET', `/playback/${videoId}/manifest`);
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The segments are encrypted: the player has to fetch the content key through the stream URL.
    const keyFetches: number[] = [];
    page.on('response', (r) => {
      if (/\/ck_[a-z0-9]+\.key$/.test(new URL(r.url()).pathname)) keyFetches.push(r.status());
    });
    try {
      await page.goto(site.pageFor(m.body.manifestUrl));
      expect((await state(page)).supported).toBe(true);

      await page.waitForFunction(
        () => {
          const { player } = window;
          const video = document.querySelector('video')!;
          return player.fatal !== null || video.currentTime > 5;
        },
        undefined,
        { timeout: 30_000 },
      );
      const played = await state(page);
      expect(played.fatal, JSON.stringify(played.errors)).toBeNull();
      expect(await page.evaluate(() => document.querySelector('video')!.currentTime)).toBeGreaterThan(5);
      // The Basic plan's ladder: only renditions up to 480p, and more than one to switch between.
      expect(played.levels.length).toBeGreaterThan(1);
      expect(Math.max(...played.levels)).toBeLessThanOrEqual(480);

      for (const [level, height] of played.levels.entries()) {
        // Force the level and play it from the start: its own fragments decode to its own size.
        await page.evaluate((i) => {
          const w = window;
          w.player.buffered = [];
          w.hls.currentLevel = i;
          const video = document.querySelector('video')!;
          video.currentTime = 0;
          void video.play();
        }, level);
        await page.waitForFunction(
          ([i, h]) => {
            const w = window;
            const video = document.querySelector('video')!;
            return (
              w.player.fatal !== null ||
              (w.hls.currentLevel === i &&
                w.player.buffered.includes(i) &&
                video.videoHeight === h &&
                video.currentTime > 1.5)
            );
          },
          [level, height] as const,
          { timeout: 30_000 },
        );
        const now = await state(page);
        expect(now.fatal, `level ${level} (${height}p): ${JSON.stringify(now.errors)}`).toBeNull();
      }
      expect((await state(page)).errors.filter((e) => e.fatal)).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(keyFetches.length).toBeGreaterThan(0);
      expect(keyFetches.every((s) => s === 200)).toBe(true);
    } finally {
      await page.close();
      await viewer.call('DELETE', `/playback/sessions/${m.body.sessionId}`);
    }
  });
});
