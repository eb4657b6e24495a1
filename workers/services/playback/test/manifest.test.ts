import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { verifyStreamToken } from '../../../lib/stream-token.ts';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { call, ORIGIN, viewer } from './support/service.ts';

const as = (userId: string) => testCaller(ORIGIN, userId, ['viewer']);

function tokenOf(manifestUrl: string): string {
  const m = /^http:\/\/platform\.test\/stream\/([^/]+)\/vid_ready\/master\.m3u8$/.exec(manifestUrl);
  if (!m) throw new Error(`unexpected manifest URL ${manifestUrl}`);
  return m[1]!;
}

describe('GET /playback/{videoId}/manifest', () => {
  it('signs a stream URL bound to the viewer, the video, the plan height and the session', async () => {
    const r = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, viewer);
    expect(r.status).toBe(200);
    const claims = await verifyStreamToken(env.STREAM_SIGNING_KEY as string, tokenOf(r.body.manifestUrl));
    expect(claims).toMatchObject({
      sub: 'usr_viewer',
      vid: 'vid_ready',
      pre: 'renditions/vid_ready/job_1/',
      mst: 'master.m3u8',
      mh: 480,
      den: ['1080p', '720p'],
      sid: r.body.sessionId,
    });
    expect(Date.parse(r.body.expiresAt)).toBe(claims.exp * 1000);
    await call('playback.endSession', { params: { sessionId: r.body.sessionId } }, viewer);
  });

  it('answers 404 for an unknown video and 409 for one not ready', async () => {
    expect((await call('playback.manifest', { params: { videoId: 'vid_nope' } }, viewer)).status).toBe(404);
    expect((await call('playback.manifest', { params: { videoId: 'vid_processing' } }, viewer)).status).toBe(
      409,
    );
  });

  it('refuses 403 naming the reason: no subscription, past due after grace, resolution', async () => {
    const none = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, as('usr_stranger'));
    expect(none.status).toBe(403);
    expect(none.problem?.extensions).toMatchObject({ reason: 'no_subscription' });
    const late = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, as('usr_pastdue'));
    expect(late.status).toBe(403);
    expect(late.problem?.extensions).toMatchObject({ reason: 'payment_failed' });
    const tiny = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, as('usr_tiny'));
    expect(tiny.status).toBe(403);
    expect(tiny.problem?.extensions).toMatchObject({ reason: 'resolution_not_in_plan' });
  });
});

describe('concurrent streams', () => {
  it('refuses a stream beyond maxStreams with 429, and frees the slot on DELETE', async () => {
    const who = as('usr_viewer');
    const a = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    const b = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect(c.status).toBe(429);
    expect(c.problem?.extensions).toMatchObject({ reason: 'max_streams', maxStreams: 2 });
    // Refreshing a live session is no new stream.
    const again = await call(
      'playback.manifest',
      { params: { videoId: 'vid_ready' }, query: { sessionId: a.body.sessionId } },
      who,
    );
    expect(again.status).toBe(200);
    expect(again.body.sessionId).toBe(a.body.sessionId);
    const hb = await call('playback.heartbeat', { params: { sessionId: a.body.sessionId } }, who);
    expect(hb.status).toBe(200);
    expect(hb.body.videoId).toBe('vid_ready');
    expect((await call('playback.endSession', { params: { sessionId: a.body.sessionId } }, who)).status).toBe(
      204,
    );
    expect((await call('playback.heartbeat', { params: { sessionId: a.body.sessionId } }, who)).status).toBe(
      404,
    );
    const d = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect(d.status).toBe(200);
    // Another user cannot touch these sessions.
    expect(
      (await call('playback.endSession', { params: { sessionId: d.body.sessionId } }, as('usr_admin')))
        .status,
    ).toBe(404);
    for (const s of [b.body.sessionId, d.body.sessionId])
      await call('playback.endSession', { params: { sessionId: s } }, who);
  });

  it('frees a slot two minutes after the last heartbeat', async () => {
    const stub = env.STREAM_SESSIONS.get(env.STREAM_SESSIONS.idFromName('usr_expiry'));
    const t0 = Date.now();
    expect((await stub.open('usr_expiry', 'pbs_a', 'vid_ready', 1, t0)).ok).toBe(true);
    expect((await stub.open('usr_expiry', 'pbs_b', 'vid_ready', 1, t0 + 60_000)).ok).toBe(false);
    expect((await stub.open('usr_expiry', 'pbs_b', 'vid_ready', 1, t0 + 120_001)).ok).toBe(true);
  });
});

describe('playback events', () => {
  async function outboxOf(sessionId: string): Promise<string[]> {
    const rows = await env.DB.prepare('SELECT type, envelope FROM outbox ORDER BY created_at').all<{
      type: string;
      envelope: string;
    }>();
    return rows.results.filter((r) => JSON.parse(r.envelope).data.sessionId === sessionId).map((r) => r.type);
  }

  it('records PlaybackStarted, PlaybackHeartbeat and PlaybackEnded in the outbox', async () => {
    const who = as('usr_admin');
    const m = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect(m.status).toBe(200);
    await call('playback.heartbeat', { params: { sessionId: m.body.sessionId } }, who);
    await call('playback.endSession', { params: { sessionId: m.body.sessionId } }, who);
    expect(await outboxOf(m.body.sessionId)).toEqual([
      'PlaybackStarted',
      'PlaybackHeartbeat',
      'PlaybackEnded',
    ]);
  });

  it('records PlaybackEnded for a session that lapsed without a heartbeat', async () => {
    const stub = env.STREAM_SESSIONS.get(env.STREAM_SESSIONS.idFromName('usr_lapse'));
    const t0 = Date.now();
    await stub.open('usr_lapse', 'pbs_lapse', 'vid_ready', 1, t0);
    expect(await stub.list(t0 + 121_000)).toEqual([]);
    expect(await outboxOf('pbs_lapse')).toEqual(['PlaybackEnded']);
  });
});
