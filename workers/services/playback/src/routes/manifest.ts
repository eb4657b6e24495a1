import { implement, json } from '../../../../lib/api.ts';
import { newId } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import { signStreamToken, streamMasterUrl } from '../../../../lib/stream-token.ts';
import { type Env, settings } from '../config.ts';
import { getManifest } from '../contract.ts';
import { publishEvent } from '../outbox.ts';
import { sessionsOf } from '../sessions.ts';

const REASONS: Record<string, string> = {
  no_subscription: 'You have no subscription.',
  canceled: 'Your subscription was canceled.',
  expired: 'Your subscription has expired.',
  payment_failed: 'Your subscription is past due and its grace period is over.',
  incomplete: 'Your subscription’s first payment has not completed.',
};

/** The folder of a rendition playlist (`720p/index.m3u8` → `720p`), or null at the top level. */
function folderOf(playlist: string): string | null {
  const i = playlist.lastIndexOf('/');
  return i > 0 ? playlist.slice(0, i) : null;
}

export const manifestHandler = implement(getManifest, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const { videoId } = input.params;
  const [video, entitlement] = await Promise.all([
    env.VIDEOS.playbackInfo(videoId),
    env.BILLING.getEntitlement(userId),
  ]);
  if (!video) throw Problem.notFound(`No video ${videoId}.`);
  if (video.status !== 'ready' || !video.outputPrefix || !video.masterPlaylist)
    throw Problem.conflict(`Video ${videoId} is not ready (${video.status}).`);
  if (!entitlement.active)
    throw new Problem('forbidden', REASONS[entitlement.reason] ?? 'You are not entitled to stream.', {
      extensions: { reason: entitlement.reason },
    });
  const maxHeight = entitlement.maxResolution;
  const allowed = video.renditions.filter((r) => r.height <= maxHeight);
  if (!allowed.length)
    throw new Problem(
      'forbidden',
      `Your plan allows up to ${maxHeight}p; this video has no rendition at or below it.`,
      { extensions: { reason: 'resolution_not_in_plan', maxResolution: maxHeight } },
    );
  const denied = video.renditions
    .filter((r) => r.height > maxHeight)
    .map((r) => folderOf(r.playlist))
    .filter((f): f is string => f !== null && !allowed.some((a) => folderOf(a.playlist) === f));

  const requested = input.query.sessionId;
  const opened = await sessionsOf(env, userId).open(
    userId,
    requested ?? newId('pbs'),
    videoId,
    entitlement.maxStreams,
  );
  if (!opened.ok)
    throw new Problem(
      'rate_limited',
      `Your plan allows ${opened.limit} concurrent stream${opened.limit === 1 ? '' : 's'}; all are in use.`,
      { extensions: { reason: 'max_streams', maxStreams: opened.limit }, headers: { 'Retry-After': '120' } },
    );
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
  });
});
