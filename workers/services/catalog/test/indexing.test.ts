/**
 * The consumer keeps the index right whatever the queue does: redelivery, events out of order per
 * video, deletion before creation; and a new video is findable right after its event.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, deliver, event, search } from './support/service.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

function video(videoId: string, title: string, over: Record<string, unknown> = {}) {
  return { videoId, title, description: '', tags: [], genres: [], status: 'pending', ...over };
}

async function ids(q: string, status: 'ready' | 'any' = 'any') {
  const r = await search({ q, status }, admin);
  expect(r.status).toBe(200);
  return r.body.map((h) => h.videoId);
}

async function termDocs(term: string) {
  const row = await env.DB.prepare('SELECT docs FROM terms WHERE term = ?')
    .bind(term)
    .first<{ docs: number }>();
  return row?.docs ?? 0;
}

describe('indexing from events', () => {
  it('VideoCreated then VideoTranscoded: findable, and ready for everyone', async () => {
    await deliver([event('VideoCreated', video('vid_i_1', 'Gravitonic Harvest'), at(1))]);
    expect(await ids('gravitonic')).toEqual(['vid_i_1']);
    expect(await ids('gravitonic', 'ready')).toEqual([]);
    await deliver([
      event('VideoTranscoded', { videoId: 'vid_i_1', jobId: 'j', durationSec: 3, renditions: [] }, at(2)),
    ]);
    expect(await ids('gravitonic', 'ready')).toEqual(['vid_i_1']);
  });

  it('VideoUpdated replaces the indexed text and the vocabulary follows', async () => {
    await deliver([event('VideoCreated', video('vid_i_2', 'Plasmatic Orchard'), at(1))]);
    await deliver([event('VideoUpdated', video('vid_i_2', 'Crystalline Orchard'), at(2))]);
    expect(await ids('plasmatic')).toEqual([]);
    expect(await ids('crystalline')).toEqual(['vid_i_2']);
    expect(await termDocs('plasmatic')).toBe(0);
    expect(await termDocs('crystalline')).toBe(1);
  });

  it('a redelivered event changes nothing', async () => {
    const created = event('VideoCreated', video('vid_i_3', 'Nebular Lighthouse'), at(1));
    await deliver([created]);
    await deliver([created, created]);
    expect(await ids('nebular')).toEqual(['vid_i_3']);
    expect(await termDocs('nebular')).toBe(1);
  });

  it('an older update arriving late is ignored', async () => {
    await deliver([event('VideoUpdated', video('vid_i_4', 'Second Title Quasar'), at(5))]);
    await deliver([event('VideoCreated', video('vid_i_4', 'First Title Pulsar'), at(1))]);
    await deliver([event('VideoUpdated', video('vid_i_4', 'Stale Title Magnetar'), at(3))]);
    expect(await ids('quasar')).toEqual(['vid_i_4']);
    expect(await ids('pulsar')).toEqual([]);
    expect(await ids('magnetar')).toEqual([]);
  });

  it('VideoTranscoded before VideoCreated still leaves the video ready', async () => {
    await deliver([
      event('VideoTranscoded', { videoId: 'vid_i_5', jobId: 'j', durationSec: 3, renditions: [] }, at(2)),
    ]);
    expect(await ids('', 'ready')).not.toContain('vid_i_5');
    await deliver([event('VideoCreated', video('vid_i_5', 'Backwards Comet'), at(1))]);
    expect(await ids('comet', 'ready')).toEqual(['vid_i_5']);
  });

  it('a later metadata event carrying a new status wins over an older transcode', async () => {
    await deliver([
      event('VideoCreated', video('vid_i_6', 'Reprocessed Meteor'), at(1)),
      event('VideoTranscoded', { videoId: 'vid_i_6', jobId: 'j', durationSec: 3, renditions: [] }, at(2)),
      event('VideoUpdated', video('vid_i_6', 'Reprocessed Meteor', { status: 'processing' }), at(3)),
    ]);
    expect(await ids('meteor', 'ready')).toEqual([]);
    expect(await ids('meteor')).toEqual(['vid_i_6']);
  });
});

describe('deletion', () => {
  it('VideoDeleted removes the video from search, facets and the vocabulary', async () => {
    await deliver([
      event(
        'VideoCreated',
        video('vid_d_1', 'Vanishing Zeppelin', { genres: ['Mystery'], status: 'ready' }),
        at(1),
      ),
    ]);
    expect(await ids('zeppelin')).toEqual(['vid_d_1']);
    await deliver([event('VideoDeleted', { videoId: 'vid_d_1' }, at(2))]);
    expect(await ids('zeppelin')).toEqual([]);
    expect(await ids('', 'any')).not.toContain('vid_d_1');
    expect(await termDocs('zeppelin')).toBe(0);
    const facets = await search({ q: '', facets: 'genre', status: 'any' }, admin);
    expect(facets.headers!['X-Facets']).not.toContain('Mystery');
  });

  it('nothing revives a deleted video, even events older or newer than the deletion', async () => {
    await deliver([event('VideoDeleted', { videoId: 'vid_d_2' }, at(5))]);
    await deliver([
      event('VideoCreated', video('vid_d_2', 'Ghostly Carousel'), at(1)),
      event('VideoUpdated', video('vid_d_2', 'Ghostly Carousel'), at(9)),
      event('VideoTranscoded', { videoId: 'vid_d_2', jobId: 'j', durationSec: 3, renditions: [] }, at(10)),
    ]);
    expect(await ids('carousel')).toEqual([]);
  });
});

describe('indexing lag', () => {
  it('a video is findable within 5 s of its event reaching the consumer', async () => {
    const started = performance.now();
    await deliver([event('VideoCreated', video('vid_l_1', 'Punctual Heliograph', { status: 'ready' }))]);
    let found = false;
    while (!found && performance.now() - started < 5000)
      found = (await ids('heliograph', 'ready')).length === 1;
    const lagMs = performance.now() - started;
    console.info(`indexing lag (consumer → findable): ${lagMs.toFixed(1)} ms`);
    expect(found).toBe(true);
    expect(lagMs).toBeLessThan(5000);
  });
});
