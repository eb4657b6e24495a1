/**
 * Profiles end to end, through the gateway: the profile from signup (UserRegistered on the queue),
 * access at the door and in the service, bad input as problems, and read-your-writes through the
 * KV cache of the lists (X-Cache and ETag).
 */
import { describe, expect, it } from 'vitest';
import { adminToken, type Client, client, signUp } from './support/auth-client.ts';
import { eventually } from './support/billing-api.ts';

async function adminSession(c: Client) {
  const token = await adminToken(c);
  const me = await c.call('GET', '/auth/me', { token });
  return { token, userId: me.body.userId as string };
}

/** A video the profile service has learnt of from VideoCreated (admins may list unpublished ones). */
async function videoKnownToProfile(c: Client, token: string, userId: string, durationSec = 100) {
  const created = await c.call('POST', '/videos', {
    token,
    body: { title: 'Profile e2e', description: '', durationSec },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const videoId = created.body.videoId as string;
  // The event reaches the profile service's queue shortly after the answer.
  await eventually(async () => {
    const res = await c.call('GET', `/videos/${videoId}/ratings`, { token });
    if (res.status !== 200) throw new Error(`not yet: ${res.status}`);
  });
  return { videoId, path: `/profiles/${userId}` };
}

describe('profiles end to end', () => {
  it('signing up creates the profile, named as at signup: readable at once, and made by UserRegistered', async () => {
    const c = client();
    const account = await signUp(c, { name: 'Grace Hopper' });
    // Read straight away, maybe before the event: made from the account at auth, the same.
    const profile = await c.call('GET', `/profiles/${account.userId}`, { token: account.token });
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({
      userId: account.userId,
      name: 'Grace Hopper',
      avatarUrl: null,
      preferences: {},
    });
    expect(profile.headers.get('ratelimit-limit')).toBe('200');

    // An admin's read never makes one: the profile appears when UserRegistered is consumed.
    const other = await signUp(c, { name: 'Katherine Johnson' });
    const admin = await adminSession(c);
    const made = await eventually(async () => {
      const res = await c.call('GET', `/profiles/${other.userId}`, { token: admin.token });
      if (res.status !== 200) throw new Error(`not yet: ${res.status}`);
      return res;
    });
    expect(made.body.name).toBe('Katherine Johnson');

    const updated = await c.call('PUT', `/profiles/${account.userId}`, {
      token: account.token,
      body: { preferences: { language: 'fr' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Grace Hopper', preferences: { language: 'fr' } });
  });

  it('a viewer reads and writes only their own profile; an admin reads any; strangers get 401', async () => {
    const c = client();
    const [ada, eve] = [await signUp(c), await signUp(c)];
    const admin = await adminSession(c);
    const path = `/profiles/${ada.userId}`;
    expect((await c.call('GET', path)).status).toBe(401);
    for (const [method, sub, body] of [
      ['GET', '', undefined],
      ['PUT', '', { name: 'Eve was here' }],
      ['GET', '/watchlist', undefined],
      ['POST', '/history', { videoId: 'vid_x', progress: 1 }],
      ['GET', '/continue-watching', undefined],
      ['GET', '/ratings', undefined],
    ] as const) {
      const res = await c.call(method, `${path}${sub}`, { token: eve.token, body });
      expect(res.status, `${method} ${sub}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    await eventually(async () => {
      const res = await c.call('GET', path, { token: admin.token });
      if (res.status !== 200) throw new Error(`not yet: ${res.status}`);
    });
    expect((await c.call('GET', `${path}/watchlist`, { token: admin.token })).status).toBe(200);
    expect((await c.call('DELETE', path, { token: ada.token })).status).toBe(403);
  });

  it('bad input answers problems: 400 with the field, 404 for unknown videos, 422 for a reused key', async () => {
    const c = client();
    const ada = await signUp(c);
    const path = `/profiles/${ada.userId}`;
    const rating = await c.call('POST', `${path}/ratings`, {
      token: ada.token,
      body: { videoId: 'vid_x', rating: 6 },
    });
    expect(rating.status).toBe(400);
    expect(rating.body.errors).toEqual([expect.objectContaining({ path: 'rating' })]);
    const prefs = await c.call('PUT', path, { token: ada.token, body: { preferences: ['dark'] } });
    expect(prefs.status).toBe(400);
    expect(prefs.body.errors).toEqual([expect.objectContaining({ path: 'preferences' })]);
    const unknown = await c.call('POST', `${path}/watchlist`, {
      token: ada.token,
      body: { videoId: 'vid_unknown' },
    });
    expect(unknown.status).toBe(404);

    const admin = await adminSession(c);
    const { videoId, path: own } = await videoKnownToProfile(c, admin.token, admin.userId);
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = await c.call('POST', `${own}/history`, {
      token: admin.token,
      headers: key,
      body: { videoId, progress: 10 },
    });
    expect(first.status).toBe(201);
    const replay = await c.call('POST', `${own}/history`, {
      token: admin.token,
      headers: key,
      body: { videoId, progress: 10 },
    });
    expect(replay.body).toEqual(first.body);
    const other = await c.call('POST', `${own}/history`, {
      token: admin.token,
      headers: key,
      body: { videoId, progress: 11 },
    });
    expect(other.status).toBe(422);
    const past = await c.call('POST', `${own}/history`, {
      token: admin.token,
      body: { videoId, progress: 101 },
    });
    expect(past.status).toBe(400);
  });

  it('reads its own writes at once through the KV cache and the ETag', async () => {
    const c = client();
    const admin = await adminSession(c);
    const { videoId, path } = await videoKnownToProfile(c, admin.token, admin.userId);
    const list = (sub: string, headers: Record<string, string> = {}) =>
      c.call('GET', `${path}${sub}`, { token: admin.token, headers });
    const ids = (res: { body: { videoId: string }[] }) => res.body.map((e) => e.videoId);

    await list('/watchlist');
    const cached = await eventually(async () => {
      const res = await list('/watchlist');
      if (res.headers.get('x-cache') !== 'hit') throw new Error('not cached yet');
      return res;
    });
    expect(ids(cached)).not.toContain(videoId);
    const etag = cached.headers.get('etag')!;
    expect((await list('/watchlist', { 'if-none-match': etag })).status).toBe(304);

    expect(
      (await c.call('POST', `${path}/watchlist`, { token: admin.token, body: { videoId } })).status,
    ).toBe(201);
    const after = await list('/watchlist', { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(ids(after)[0]).toBe(videoId);
    expect(after.headers.get('x-total-count')).toBe(String(after.body.length));

    expect((await c.call('DELETE', `${path}/watchlist/${videoId}`, { token: admin.token })).status).toBe(204);
    expect(ids(await list('/watchlist'))).not.toContain(videoId);

    await c.call('POST', `${path}/history`, { token: admin.token, body: { videoId, progress: 40 } });
    await list('/continue-watching');
    const resumed = await list('/continue-watching');
    expect(resumed.body[0]).toMatchObject({ videoId, progress: 40, durationSec: 100 });
    await c.call('POST', `${path}/history`, { token: admin.token, body: { videoId, progress: 96 } });
    expect(ids(await list('/continue-watching'))).not.toContain(videoId);
    expect((await list('/history')).body[0]).toMatchObject({ videoId, progress: 96, finished: true });
  });

  it('GET /videos/{id}/ratings is public for published videos; unpublished ones are 404 to the public', async () => {
    const c = client();
    const admin = await adminSession(c);
    const { videoId, path } = await videoKnownToProfile(c, admin.token, admin.userId);
    await c.call('POST', `${path}/ratings`, {
      token: admin.token,
      body: { videoId, rating: 4, comment: 'Fine.' },
    });
    expect((await c.call('GET', `/videos/${videoId}/ratings`)).status).toBe(404);
    const seen = await c.call('GET', `/videos/${videoId}/ratings`, { token: admin.token });
    expect(seen.body).toMatchObject({
      videoId,
      average: 4,
      count: 1,
      reviews: [{ rating: 4, comment: 'Fine.' }],
    });
  });
});
