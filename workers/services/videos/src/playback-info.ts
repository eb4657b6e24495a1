/** What the playback service needs of a video to sign its stream URL (RPC `playbackInfo`). */

import type { Env } from './config.ts';
import { database } from './db/client.ts';
import type { VideoStatus } from './db/schema.ts';
import { findVideo } from './videos.ts';

export interface PlaybackRendition {
  name: string;
  height: number;
  width: number;
  /** Relative to `outputPrefix`, e.g. `720p/index.m3u8`. */
  playlist: string;
}

export interface PlaybackInfo {
  videoId: string;
  status: VideoStatus;
  /** `renditions/<videoId>/<jobId>/` once ready, else null. */
  outputPrefix: string | null;
  /** Relative to `outputPrefix`. */
  masterPlaylist: string | null;
  renditions: PlaybackRendition[];
  storyboard: { sprite: string; vtt: string } | null;
}

/** The video's playback facts, or null when there is no such video. */
export async function playbackInfo(env: Env, videoId: string): Promise<PlaybackInfo | null> {
  const row = await findVideo(database(env.DB), videoId);
  if (!row) return null;
  return {
    videoId: row.id,
    status: row.status,
    outputPrefix: row.outputPrefix,
    masterPlaylist: row.masterPlaylist,
    renditions: row.renditions.map((r) => ({
      name: r.name,
      height: r.height,
      width: r.width,
      playlist: r.playlist,
    })),
    storyboard: row.storyboard ?? null,
  };
}
