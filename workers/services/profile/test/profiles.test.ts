import { describe, expect, it } from 'vitest';
import { ProfileUpdate } from '../src/contract/schemas.ts';
import {
  admin,
  call,
  count,
  deliverAll,
  event,
  knownVideo,
  newViewer,
  refusedAt,
  registeredViewer,
} from './support/service.ts';

const get = (userId: string, who = admin) => call('profile.get', { params: { userId } }, who);
const put = (userId: string, body: Record<string, unknown>, who = admin) =>
  call('profile.update', { params: { userId }, body }, who);

describe('profiles', () => {
  it('exist from signup, named as at signup; a redelivered UserRegistered changes nothing', async () => {
    const ada = await registeredViewer('  Ada Lovelace ');
    expect((await get(ada.userId, ada)).body).toEqual({
      userId: ada.userId,
      name: 'Ada Lovelace',
      avatarUrl: null,
      preferences: {},
    });
    await put(ada.userId, { name: 'Ada' }, ada);
    await deliverAll(
      event('UserRegistered', ada.userId, {
        userId: ada.userId,
        email: 'ada@example.com',
        name: 'Someone else',
        roles: ['viewer'],
        provider: 'password',
      }),
    );
    expect((await get(ada.userId, ada)).body.name).toBe('Ada');
  });

  it('are read by their owner or an admin, and nobody else (403)', async () => {
    const ada = await registeredViewer();
    const eve = newViewer('eve');
    expect((await get(ada.userId, ada)).status).toBe(200);
    expect((await get(ada.userId, admin)).status).toBe(200);
    const refused = await get(ada.userId, eve);
    expect(refused.status).toBe(403);
    expect(refused.problem?.code).toBe('forbidden');
  });

  it('are changed by their owner only: an admin reads but does not write (403)', async () => {
    const ada = await registeredViewer();
    expect((await put(ada.userId, { name: 'Mallory' }, admin)).status).toBe(403);
    expect((await put(ada.userId, { name: 'Mallory' }, newViewer())).status).toBe(403);
    expect((await get(ada.userId, ada)).body.name).toBe('Ada Lovelace');
  });

  it('PUT changes any subset and keeps the rest; preferences are replaced as a whole', async () => {
    const ada = await registeredViewer();
    const prefs = { language: 'en', subtitles: { enabled: true } };
    const first = await put(
      ada.userId,
      { preferences: prefs, avatarUrl: 'https://img.example.com/a.png' },
      ada,
    );
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      userId: ada.userId,
      name: 'Ada Lovelace',
      avatarUrl: 'https://img.example.com/a.png',
      preferences: prefs,
    });
    const second = await put(ada.userId, { name: '  Countess  ', preferences: { autoplay: false } }, ada);
    expect(second.body).toMatchObject({
      name: 'Countess',
      avatarUrl: 'https://img.example.com/a.png',
      preferences: { autoplay: false },
    });
    expect((await put(ada.userId, { avatarUrl: null }, ada)).body.avatarUrl).toBeNull();
    expect((await get(ada.userId, ada)).body).toEqual({ ...second.body, avatarUrl: null });
  });

  it('avatars are https URLs or URLs on the platform itself (400 otherwise)', async () => {
    const ada = await registeredViewer();
    const own = `${ada.origin}/media/avatars/ada.png`;
    expect((await put(ada.userId, { avatarUrl: own }, ada)).body.avatarUrl).toBe(own);
    const refused = await put(ada.userId, { avatarUrl: 'http://tracker.example.com/pixel.gif' }, ada);
    expect(refused.status).toBe(400);
    expect(refused.problem?.errors).toEqual([{ path: 'avatarUrl', message: expect.any(String) }]);
    expect(refusedAt(ProfileUpdate, { avatarUrl: 'javascript:alert(1)' })).toEqual(['avatarUrl']);
    expect(refusedAt(ProfileUpdate, { avatarUrl: 'ftp://example.com/a.png' })).toEqual(['avatarUrl']);
  });

  it('refuses bad bodies field by field (the gateway answers 400 with these paths)', () => {
    expect(refusedAt(ProfileUpdate, {})).toEqual(['']);
    expect(refusedAt(ProfileUpdate, { name: '   ' })).toEqual(['name']);
    expect(refusedAt(ProfileUpdate, { name: 'x'.repeat(101) })).toEqual(['name']);
    expect(refusedAt(ProfileUpdate, { name: 'evil\u202egnp' })).toEqual(['name']);
    expect(refusedAt(ProfileUpdate, { preferences: [1, 2] })).toEqual(['preferences']);
    expect(refusedAt(ProfileUpdate, { preferences: 'dark' })).toEqual(['preferences']);
    expect(refusedAt(ProfileUpdate, { preferences: null })).toEqual(['preferences']);
    expect(refusedAt(ProfileUpdate, { preferences: { blob: 'x'.repeat(8200) } })).toEqual(['preferences']);
    expect(refusedAt(ProfileUpdate, { preferences: { blob: 'x'.repeat(8000) } })).toEqual([]);
    expect(refusedAt(ProfileUpdate, { nickname: 'x' })).toEqual(['']);
  });

  it('an unknown profile is 404, to its owner and to admins', async () => {
    const ghost = newViewer('ghost');
    expect((await get(ghost.userId, ghost)).status).toBe(404);
    expect((await get(ghost.userId, admin)).status).toBe(404);
    expect((await put(ghost.userId, { name: 'x' }, ghost)).status).toBe(404);
  });
});

describe('a profile read before UserRegistered arrives', () => {
  const known = () => newViewer('known');

  it("is made from the caller's account at auth, as the event would make it; the event then changes nothing", async () => {
    const grace = known();
    expect((await get(grace.userId, admin)).status).toBe(404);
    const res = await get(grace.userId, grace);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: grace.userId, name: 'Known Name', avatarUrl: null, preferences: {} });
    await put(grace.userId, { name: 'Grace' }, grace);
    await deliverAll(
      event('UserRegistered', grace.userId, {
        userId: grace.userId,
        email: 'known@example.com',
        name: 'Known Name',
        roles: ['viewer'],
        provider: 'password',
      }),
    );
    expect((await get(grace.userId, grace)).body.name).toBe('Grace');
    expect(await count('profiles', 'user_id = ?', grace.userId)).toBe(1);
  });

  it('a first PUT works too', async () => {
    const grace = known();
    const res = await put(grace.userId, { preferences: { theme: 'dark' } }, grace);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Known Name', preferences: { theme: 'dark' } });
  });

  it('is not made for an account auth does not know, or one deleted meanwhile', async () => {
    const grace = known();
    await deliverAll(event('UserDeleted', grace.userId, { userId: grace.userId }));
    expect((await get(grace.userId, grace)).status).toBe(404);
    expect(await count('profiles', 'user_id = ?', grace.userId)).toBe(0);
  });
});

describe("a user's data goes with the account", () => {
  async function userWithData() {
    const ada = await registeredViewer();
    const videoId = await knownVideo();
    await call('profile.watchlist.add', { params: { userId: ada.userId }, body: { videoId } }, ada);
    await call(
      'profile.history.record',
      { params: { userId: ada.userId }, body: { videoId, progress: 60 } },
      ada,
    );
    await call('profile.ratings.rate', { params: { userId: ada.userId }, body: { videoId, rating: 5 } }, ada);
    return { ada, videoId };
  }
  const held = async (userId: string) =>
    (
      await Promise.all(
        ['profiles', 'watchlist', 'history', 'ratings'].map((t) => count(t, 'user_id = ?', userId)),
      )
    ).reduce((a, b) => a + b, 0);

  it('UserDeleted erases profile, watchlist, history and ratings; nothing comes back afterwards', async () => {
    const { ada, videoId } = await userWithData();
    expect(await held(ada.userId)).toBe(4);
    await deliverAll(event('UserDeleted', ada.userId, { userId: ada.userId }));
    expect(await held(ada.userId)).toBe(0);
    // A late UserRegistered and the last requests of a still-valid token add nothing back.
    await deliverAll(
      event('UserRegistered', ada.userId, {
        userId: ada.userId,
        email: 'ada@example.com',
        name: 'Ada',
        roles: ['viewer'],
        provider: 'password',
      }),
    );
    const write = await call(
      'profile.watchlist.add',
      { params: { userId: ada.userId }, body: { videoId } },
      ada,
    );
    expect(write.status).toBe(404);
    expect(await held(ada.userId)).toBe(0);
    expect((await call('profile.watchlist.list', { params: { userId: ada.userId } }, ada)).body).toEqual([]);
  });

  it("an admin erases a user's profile data with DELETE /profiles/{userId} (viewers may not)", async () => {
    const { ada } = await userWithData();
    expect((await call('profile.delete', { params: { userId: ada.userId } }, ada)).status).toBe(403);
    expect(await held(ada.userId)).toBe(4);
    expect((await call('profile.delete', { params: { userId: ada.userId } }, admin)).status).toBe(204);
    expect(await held(ada.userId)).toBe(0);
    expect((await call('profile.delete', { params: { userId: ada.userId } }, admin)).status).toBe(204);
  });
});
