/**
 * The checks every playback grant passes — a manifest, a content key, a DRM license: the video is
 * ready, the viewer is entitled now, and the plan allows at least one of its renditions.
 */
import { Problem } from '../../../lib/problem.ts';
import type { Env } from './config.ts';

const REASONS: Record<string, string> = {
  no_subscription: 'You have no subscription.',
  canceled: 'Your subscription was canceled.',
  expired: 'Your subscription has expired.',
  payment_failed: 'Your subscription is past due and its grace period is over.',
  incomplete: 'Your subscription’s first payment has not completed.',
};

/** The 403 of a viewer billing does not entitle, naming billing's reason. */
export function notEntitled(reason: string): Problem {
  return new Problem('forbidden', REASONS[reason] ?? 'You are not entitled to stream.', {
    extensions: { reason },
  });
}

/** The folder of a rendition playlist (`720p/index.m3u8` → `720p`), or null at the top level. */
function folderOf(playlist: string): string | null {
  const i = playlist.lastIndexOf('/');
  return i > 0 ? playlist.slice(0, i) : null;
}

export interface Grant {
  video: {
    videoId: string;
    outputPrefix: string;
    masterPlaylist: string;
  };
  entitlement: {
    planId: string | null;
    maxResolution: number;
    maxStreams: number;
    /** When the entitlement may end by itself (ISO 8601), null when only a change ends it. */
    until: string | null;
  };
  /** The largest rendition height the plan allows. */
  maxHeight: number;
  /** Rendition folders above the plan's height, never to be served. */
  denied: string[];
}

/** What `userId` may play of `videoId`, or the problem (404, 409, 403 naming the reason) why not. */
export async function grantPlayback(env: Env, userId: string, videoId: string): Promise<Grant> {
  const [video, entitlement] = await Promise.all([
    env.VIDEOS.playbackInfo(videoId),
    env.BILLING.getEntitlement(userId),
  ]);
  if (!video) throw Problem.notFound(`No video ${videoId}.`);
  if (video.status !== 'ready' || !video.outputPrefix || !video.masterPlaylist)
    throw Problem.conflict(`Video ${videoId} is not ready (${video.status}).`);
  if (!entitlement.active) throw notEntitled(entitlement.reason);
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
  return {
    video: { videoId, outputPrefix: video.outputPrefix, masterPlaylist: video.masterPlaylist },
    entitlement: {
      planId: entitlement.planId ?? null,
      maxResolution: entitlement.maxResolution,
      maxStreams: entitlement.maxStreams,
      until: entitlement.until ?? null,
    },
    maxHeight,
    denied,
  };
}
