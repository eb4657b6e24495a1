import { serviceProject } from '../../../test/service-project.ts';

/**
 * The VIDEOS binding's target in these tests: a videos stand-in whose catalogPage RPC pages
 * through a fixed list (test/rebuild.test.ts knows it), as the videos service pages its table.
 */
const videosStandIn = `
import { WorkerEntrypoint } from 'cloudflare:workers';
const VIDEOS = Array.from({ length: 25 }, (_, i) => ({
  videoId: 'vid_src' + String(i).padStart(3, '0'),
  title: 'Rebuilt video ' + i + (i === 7 ? ' lighthouse keeper' : ''),
  description: 'From the videos service.',
  tags: ['source'],
  genres: [i % 2 ? 'Drama' : 'Comedy'],
  releaseYear: 2000 + i,
  status: i === 3 ? 'processing' : 'ready',
  updatedAt: '2026-01-01T00:00:00.000Z',
}));
export default class extends WorkerEntrypoint {
  async catalogPage(cursor, limit) {
    const from = cursor ? VIDEOS.findIndex((v) => v.videoId === cursor) + 1 : 0;
    const items = VIDEOS.slice(from, from + limit);
    return { items, next: from + limit < VIDEOS.length ? items.at(-1).videoId : null };
  }
}`;

export default serviceProject({
  dir: import.meta.dirname,
  bindings: { REBUILD_PAGE_SIZE: '10' },
  miniflare: { workers: [{ name: 'videos', modules: true, script: videosStandIn }] },
});
