import { implement, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import { signStreamToken, streamMasterUrl } from '../../../../lib/stream-token.ts';
import { type Env, settings } from '../config.ts';
import { getManifest } from '../contract.ts';
import { grantPlayback } from '../entitlement.ts';
import { reportingRefusals } from '../failures.ts';
import { videoKeyIds } from '../keys.ts';
import { publishEvent } from '../outbox.ts';
import { sessionsOf, streamLimitProblem } from '../sessions.ts';

export const manifestHandler = implement(getManifest, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const { videoId } = input.params;
  const requested = input.query.sessionId;
  const { grant, keys, opened } = await reportingRefusals(
    env,
    ctx,
    caller,
    { userId, videoId, sessionId: requested },
    async () => {
      const [grant, keys] = await Promise.all([
        grantPlayback(env, userId, videoId),
        videoKeyIds(env, videoId),
      ]);
      const opened = await sessionsOf(env, userId).open(
        userId,
        requested ?? newId('pbs'),
        videoId,
        grant.entitlement.maxStreams,
      );
      if (!opened.ok) throw streamLimitProblem(opened.limit);
      return { grant, keys, opened };
    },
  );
  const { video, maxHeight, denied } = grant;
  const sessionId = opened.session.sessionId;

  const s = settings(env);
  const exp = Math.floor(Date.now() / 1000) + s.STREAM_TOKEN_TTL_SEC;
  const token = await signStreamToken(s.STREAM_SIGNING_KEY, {
    sub: userId,
    vid: videoId,
    pre: video.outputPrefix,
    mst: video.masterPlaylist,
    mh: maxHeight,
    den: denied,
    sid: sessionId,
    exp,
  });
  if (opened.created)
    await publishEvent(
      env,
      ctx,
      'PlaybackStarted',
      videoId,
      { userId, videoId, sessionId, maxHeight },
      caller.traceparent,
    );
  return json(200, {
    manifestUrl: streamMasterUrl(caller.origin, token, videoId),
    expiresAt: new Date(exp * 1000).toISOString(),
    sessionId,
    maxHeight,
    keyIds: keys.map((k) => k.kid),
  });
});
