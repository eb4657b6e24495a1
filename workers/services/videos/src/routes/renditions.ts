import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { encodeKey, signGrant, storageUrl } from '../../../../lib/storage-grant.ts';
import { type Env, settings } from '../config.ts';
import { videoRenditions } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { requireVideo } from '../videos.ts';

/** How long the admin's signed output URLs stay valid. */
const TTL_SECONDS = 3600;

export const videoRenditionsHandler = implement(videoRenditions, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const video = await requireVideo(db, input.params.id);
  if (!video.outputPrefix || !video.masterPlaylist)
    throw Problem.notFound(`Video ${video.id} has no renditions yet (status ${video.status}).`);
  const exp = Math.floor(Date.now() / 1000) + TTL_SECONDS;
  const token = await signGrant(settings(env).STORAGE_SIGNING_KEY, {
    method: 'GET',
    key: video.outputPrefix,
    prefix: true,
    exp,
  });
  const base = storageUrl(caller.origin, token, video.outputPrefix);
  const url = (path: string) => base + encodeKey(path);
  return json(200, {
    expiresAt: new Date(exp * 1000).toISOString(),
    master: url(video.masterPlaylist),
    renditions: video.renditions.map((r) => ({ ...r, url: url(r.playlist) })),
    storyboard: video.storyboard
      ? { sprite: url(video.storyboard.sprite), vtt: url(video.storyboard.vtt) }
      : null,
  });
});
