import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { PlayerError } from '../src/contract.ts';
import { b64, entitle, licenseServer } from './support/licenses.ts';
import { call, ORIGIN } from './support/service.ts';

const as = (userId: string) => testCaller(ORIGIN, userId, ['viewer']);

/** The PlaybackFailed events staged in the outbox for a user. */
async function failuresOf(userId: string): Promise<Record<string, unknown>[]> {
  const rows = await env.DB.prepare(
    "SELECT envelope FROM outbox WHERE type = 'PlaybackFailed' ORDER BY created_at",
  ).all<{
    envelope: string;
  }>();
  return rows.results.map((r) => JSON.parse(r.envelope).data).filter((d) => d.userId === userId);
}

describe('PlaybackFailed', () => {
  it('records a refused manifest with its reason, not a request for an unknown video', async () => {
    const who = as('usr_refused');
    expect((await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who)).status).toBe(403);
    expect((await call('playback.manifest', { params: { videoId: 'vid_nope' } }, who)).status).toBe(404);
    expect(await failuresOf('usr_refused')).toEqual([
      { userId: 'usr_refused', videoId: 'vid_ready', code: 'no_subscription' },
    ]);
  });

  it('records a stream beyond the plan and a license server that timed out', async () => {
    const who = as('usr_failing');
    await entitle('usr_failing', 720, 1);
    const first = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    expect((await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who)).status).toBe(429);
    await licenseServer('slow');
    const license = await call(
      'playback.license',
      {
        body: {
          videoId: 'vid_ready',
          system: 'widevine',
          licenseRequest: b64('challenge'),
          sessionId: first.body.sessionId,
        },
      },
      who,
    );
    expect(license.status).toBe(504);
    await licenseServer('ok');
    expect(await failuresOf('usr_failing')).toEqual([
      { userId: 'usr_failing', videoId: 'vid_ready', code: 'max_streams' },
      {
        userId: 'usr_failing',
        videoId: 'vid_ready',
        sessionId: first.body.sessionId,
        code: 'license_server_timeout',
      },
    ]);
    await call('playback.endSession', { params: { sessionId: first.body.sessionId } }, who);
  });

  it('records what the player reports for a live session of its own', async () => {
    const who = as('usr_admin');
    const m = await call('playback.manifest', { params: { videoId: 'vid_ready' } }, who);
    const report = (sessionId: string, by = who) =>
      call(
        'playback.reportError',
        { params: { sessionId }, body: { code: 'fragLoadError', fatal: true, message: 'HTTP 503' } },
        by,
      );
    expect((await report(m.body.sessionId)).status).toBe(204);
    expect((await report(m.body.sessionId, as('usr_viewer'))).status).toBe(404);
    expect((await report('pbs_unknown')).status).toBe(404);
    expect(await failuresOf('usr_admin')).toEqual([
      { userId: 'usr_admin', videoId: 'vid_ready', sessionId: m.body.sessionId, code: 'fragLoadError' },
    ]);
    await call('playback.endSession', { params: { sessionId: m.body.sessionId } }, who);
  });

  it('takes only short, plain error codes', () => {
    expect(PlayerError.safeParse({ code: 'mediaError:bufferStalledError' }).success).toBe(true);
    expect(PlayerError.safeParse({ code: 'two words' }).success).toBe(false);
    expect(PlayerError.safeParse({ code: 'x'.repeat(65) }).success).toBe(false);
    expect(PlayerError.safeParse({ code: 'ok', message: 'm'.repeat(501) }).success).toBe(false);
  });
});
