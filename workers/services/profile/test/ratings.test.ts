import { describe, expect, it } from 'vitest';
import { RatingWrite, ReviewsQuery } from '../src/contract/schemas.ts';
import {
  admin,
  anonymous,
  call,
  count,
  knownVideo,
  newViewer,
  outbox,
  refusedAt,
  registeredViewer,
} from './support/service.ts';

type Viewer = ReturnType<typeof newViewer>;
const rate = (who: Viewer, body: Record<string, unknown>, key?: string) =>
  call(
    'profile.ratings.rate',
    { params: { userId: who.userId }, body, headers: key ? { 'idempotency-key': key } : {} },
    who,
  );
const summary = (id: string, who = anonymous, query: Record<string, unknown> = {}) =>
  call('profile.videoRatings', { params: { id }, query }, who);

describe('ratings and reviews', () => {
  it('one per user and video: a second POST replaces the first; each is one VideoRated', async () => {
    const ada = newViewer();
    const videoId = await knownVideo({ title: 'Tears of Steel' });
    const first = await rate(ada, { videoId, rating: 2, comment: 'Meh.' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ videoId, title: 'Tears of Steel', rating: 2, comment: 'Meh.' });
    const second = await rate(ada, { videoId, rating: 5 });
    expect(second.status).toBe(201);
    expect(await count('ratings', 'user_id = ?', ada.userId)).toBe(1);
    const mine = await call('profile.ratings.list', { params: { userId: ada.userId } }, ada);
    expect(mine.body).toEqual([
      { videoId, title: 'Tears of Steel', rating: 5, comment: null, ratedAt: second.body.ratedAt },
    ]);
    expect((await outbox('VideoRated', ada.userId)).map((e) => e.data)).toEqual([
      { userId: ada.userId, videoId, rating: 2, comment: 'Meh.' },
      { userId: ada.userId, videoId, rating: 5 },
    ]);
  });

  it('refuses ratings outside 1–5 or not whole, comments over 2,000 characters or with control characters', () => {
    const ok = { videoId: 'vid_x', rating: 3 };
    expect(refusedAt(RatingWrite, ok)).toEqual([]);
    for (const rating of [0, 6, 2.5, '4', null])
      expect(refusedAt(RatingWrite, { ...ok, rating })).toEqual(['rating']);
    expect(refusedAt(RatingWrite, { ...ok, comment: 'x'.repeat(2001) })).toEqual(['comment']);
    expect(refusedAt(RatingWrite, { ...ok, comment: 'x'.repeat(2000) })).toEqual([]);
    expect(refusedAt(RatingWrite, { ...ok, comment: 'two\nlines' })).toEqual([]);
    expect(refusedAt(RatingWrite, { ...ok, comment: 'evil\u202e' })).toEqual(['comment']);
    expect(refusedAt(RatingWrite, { rating: 3 })).toEqual(['videoId']);
    expect(refusedAt(ReviewsQuery, { limit: 51 })).toEqual(['limit']);
  });

  it('an unknown or unpublished video is 404; only the owner rates (403)', async () => {
    const ada = newViewer();
    expect((await rate(ada, { videoId: 'vid_unknown', rating: 3 })).status).toBe(404);
    expect((await rate(ada, { videoId: await knownVideo({ status: 'processing' }), rating: 3 })).status).toBe(
      404,
    );
    const videoId = await knownVideo();
    expect(
      (
        await call(
          'profile.ratings.rate',
          { params: { userId: ada.userId }, body: { videoId, rating: 1 } },
          newViewer(),
        )
      ).status,
    ).toBe(403);
    expect((await call('profile.ratings.list', { params: { userId: ada.userId } }, newViewer())).status).toBe(
      403,
    );
    expect(await outbox('VideoRated', ada.userId)).toEqual([]);
  });

  it('a repeated Idempotency-Key answers the first rating; another body with it is 422', async () => {
    const ada = newViewer();
    const videoId = await knownVideo();
    const first = await rate(ada, { videoId, rating: 4 }, 'rate-1');
    const again = await rate(ada, { videoId, rating: 4 }, 'rate-1');
    expect(again.body).toEqual(first.body);
    expect((await rate(ada, { videoId, rating: 1 }, 'rate-1')).status).toBe(422);
    expect(await outbox('VideoRated', ada.userId)).toHaveLength(1);
  });

  it("GET /videos/{id}/ratings (public): the average, the count and the newest reviews with the reviewer's name", async () => {
    const videoId = await knownVideo();
    expect((await summary(videoId)).body).toEqual({ videoId, average: null, count: 0, reviews: [] });
    const ada = await registeredViewer('Ada');
    const bob = await registeredViewer('Bob');
    const cy = newViewer();
    await rate(ada, { videoId, rating: 5, comment: 'Wonderful.' });
    await new Promise((r) => setTimeout(r, 2));
    await rate(bob, { videoId, rating: 4, comment: 'Good.' });
    await rate(cy, { videoId, rating: 2 });
    const res = await summary(videoId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ videoId, average: 3.67, count: 3 });
    expect(res.body.reviews).toEqual([
      { name: 'Bob', rating: 4, comment: 'Good.', ratedAt: expect.any(String) },
      { name: 'Ada', rating: 5, comment: 'Wonderful.', ratedAt: expect.any(String) },
    ]);
    expect((await summary(videoId, anonymous, { limit: 1 })).body.reviews).toHaveLength(1);
  });

  it('GET /videos/{id}/ratings of an unknown or unpublished video is 404 (admins see unpublished ones)', async () => {
    expect((await summary('vid_unknown')).status).toBe(404);
    const pending = await knownVideo({ status: 'pending' });
    expect((await summary(pending)).status).toBe(404);
    expect((await summary(pending, admin)).status).toBe(200);
  });
});
