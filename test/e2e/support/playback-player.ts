/**
 * A player page on an origin of its own: a small HTTP server that serves an HTML page and hls.js
 * (from node_modules), so the browser test plays the platform's stream URLs cross-origin, as an
 * embed on a customer's site does. The page exposes what the test checks on `window.player`.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from '../../../scripts/platform.ts';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>player</title></head>
<body>
<video id="video" muted playsinline width="640" height="360"></video>
<script src="/hls.min.js"></script>
<script>
  const video = document.getElementById('video');
  const player = (window.player = { supported: false, levels: [], errors: [], fatal: null, buffered: [] });
  const src = new URLSearchParams(location.search).get('src');
  // Chromium may claim native HLS as well; this page plays through hls.js (MSE) only.
  if (Hls.isSupported()) {
    player.supported = true;
    const hls = (window.hls = new Hls({ capLevelToPlayerSize: false }));
    hls.on(Hls.Events.MANIFEST_PARSED, (_, d) => {
      player.levels = d.levels.map((l) => l.height);
      video.play().catch((e) => player.errors.push({ details: 'play() ' + e.message, fatal: false }));
    });
    hls.on(Hls.Events.FRAG_BUFFERED, (_, d) => player.buffered.push(d.frag.level));
    hls.on(Hls.Events.ERROR, (_, d) => {
      player.errors.push({ type: d.type, details: d.details, fatal: d.fatal });
      if (d.fatal) player.fatal = d.details;
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  }
</script>
</body></html>`;

export interface PlayerSite {
  /** The page's URL for a manifest URL. */
  pageFor(manifestUrl: string): string;
  stop(): Promise<void>;
}

export async function startPlayerSite(): Promise<PlayerSite> {
  const hlsJs = await readFile(path.join(ROOT, 'node_modules/hls.js/dist/hls.min.js'));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://player.local');
    if (url.pathname === '/hls.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    pageFor: (manifestUrl) => `http://127.0.0.1:${port}/?src=${encodeURIComponent(manifestUrl)}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
