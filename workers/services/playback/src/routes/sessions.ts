import { SESSION_TTL_MS, type StreamSession } from '../../../../../durable-objects/stream-sessions.ts';
import { implement, json } from '../../../../lib/api.ts';
import { log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { endSession, heartbeat, reportError } from '../contract.ts';
import { recordPlaybackFailure } from '../failures.ts';
import { publishEvent } from '../outbox.ts';
import { sessionsOf } from '../sessions.ts';

function view(s: StreamSession) {
  return {
    sessionId: s.sessionId,
    videoId: s.videoId,
    startedAt: new Date(s.startedAt).toISOString(),
    expiresAt: new Date(s.lastSeen + SESSION_TTL_MS).toISOString(),
  };
}

export const heartbeatHandler = implement(heartbeat, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const s = await sessionsOf(env, userId).heartbeat(input.params.sessionId);
  if (!s) throw Problem.notFound('No such live playback session.');
  await publishEvent(
    env,
    ctx,
    'PlaybackHeartbeat',
    s.videoId,
    {
      userId,
      videoId: s.videoId,
      sessionId: s.sessionId,
      watchedSec: Math.max(0, (s.lastSeen - s.startedAt) / 1000),
    },
    caller.traceparent,
  );
  return json(200, view(s));
});

export const endSessionHandler = implement(endSession, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const s = await sessionsOf(env, userId).close(input.params.sessionId);
  if (!s) throw Problem.notFound('No such live playback session.');
  await publishEvent(
    env,
    ctx,
    'PlaybackEnded',
    s.videoId,
    {
      userId,
      videoId: s.videoId,
      sessionId: s.sessionId,
      watchedSec: Math.max(0, (Date.now() - s.startedAt) / 1000),
    },
    caller.traceparent,
  );
  return { status: 204 as const };
});

export const reportErrorHandler = implement(reportError, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const { sessionId } = input.params;
  const s = (await sessionsOf(env, userId).list()).find((x) => x.sessionId === sessionId);
  if (!s) throw Problem.notFound('No such live playback session.');
  const { code, fatal, message } = input.body;
  // The event carries the code; whether it was fatal and the player's words go to the log.
  log('info', 'player error', { userId, videoId: s.videoId, sessionId, code, fatal, message });
  await recordPlaybackFailure(env, ctx, caller, { userId, videoId: s.videoId, sessionId, code });
  return { status: 204 as const };
});
