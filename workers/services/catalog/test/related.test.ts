/** Related videos: co-watching first, then shared tags and genres, each with its reason. */
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, call, deliver, event } from './support/service.ts';

function ready(videoId: string, title: string, tags: string[], genres: string[], status = 'ready') {
  return event('VideoCreated', { videoId, title, description: '', tags, genres, status });
}

beforeAll(async () => {
  await deliver([
    ready('vid_r_alien', 'Alien', ['Science Fiction', 'Ridley Scott'], ['Horror']),
    ready('vid_r_blade', 'Blade Runner', ['Science Fiction', 'Ridley Scott'], ['Thriller']),
    ready('vid_r_thing', 'The Thing', ['Science Fiction'], ['Horror']),
    ready('vid_r_halloween', 'Halloween', [], ['Horror']),
    ready('vid_r_notes', 'Notting Hill', [], ['Romantic Comedy']),
    ready('vid_r_draft', 'Alien Director Cut', ['Science Fiction', 'Ridley Scott'], ['Horror'], 'processing'),
  ]);
});

async function related(
  id: string,
  query: Record<string, unknown> = {},
  who = undefined as undefined | typeof admin,
) {
  return call('catalog.related', { params: { id }, query }, who) as Promise<{
    status: number;
    body: { videoId: string; title: string; reason: string }[];
  }>;
}

describe('related videos', () => {
  it('by shared tags (worth more) and genres, with the reason', async () => {
    const r = await related('vid_r_alien');
    expect(r.status).toBe(200);
    expect(r.body.map((v) => v.videoId)).toEqual(['vid_r_blade', 'vid_r_thing', 'vid_r_halloween']);
    expect(r.body[0]!.reason).toBe('Like “Alien”: tagged Science Fiction and Ridley Scott');
    expect(r.body[1]!.reason).toBe('Like “Alien”: tagged Science Fiction; also Horror');
    expect(r.body[2]!.reason).toBe('Like “Alien”: also Horror');
  });

  it('never the video itself, never an unready one (unless an admin asks)', async () => {
    const r = await related('vid_r_alien', { limit: 50 });
    expect(r.body.map((v) => v.videoId)).not.toContain('vid_r_alien');
    expect(r.body.map((v) => v.videoId)).not.toContain('vid_r_draft');
    const any = await related('vid_r_alien', { limit: 50, status: 'any' }, admin);
    expect(any.body.map((v) => v.videoId)).toContain('vid_r_draft');
    expect((await related('vid_r_alien', { status: 'any' })).status).toBe(403);
  });

  it('co-watched videos come first, with how many viewers', async () => {
    await deliver(
      ['usr_a', 'usr_b'].flatMap((userId) => [
        event('VideoWatched', { userId, videoId: 'vid_r_alien', progress: 100, completed: true }),
        event('VideoWatched', { userId, videoId: 'vid_r_notes', progress: 30, completed: false }),
      ]),
    );
    const r = await related('vid_r_alien');
    expect(r.body[0]).toEqual({
      videoId: 'vid_r_notes',
      title: 'Notting Hill',
      reason: '2 viewers of “Alien” also watched this',
    });
    expect(r.body.map((v) => v.videoId).slice(1)).toEqual(['vid_r_blade', 'vid_r_thing', 'vid_r_halloween']);
  });

  it('respects the limit', async () => {
    expect((await related('vid_r_alien', { limit: 2 })).body).toHaveLength(2);
  });

  it('an unknown, unready or deleted video is a 404', async () => {
    expect((await related('vid_r_nope')).status).toBe(404);
    expect((await related('vid_r_draft')).status).toBe(404);
    await deliver([event('VideoDeleted', { videoId: 'vid_r_halloween' })]);
    expect((await related('vid_r_halloween')).status).toBe(404);
    expect((await related('vid_r_alien', { limit: 50 })).body.map((v) => v.videoId)).not.toContain(
      'vid_r_halloween',
    );
  });
});
