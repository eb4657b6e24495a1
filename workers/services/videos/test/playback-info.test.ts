import { describe, expect, it } from 'vitest';
import { createVideo, service, testEnv } from './support/service.ts';

describe('playbackInfo (RPC from playback)', () => {
  it('answers null for an unknown video', async () => {
    expect(await service.playbackInfo('vid_unknown')).toBeNull();
  });

  it('answers the status, and once ready the output prefix, master playlist and renditions', async () => {
    const { videoId } = await createVideo();
    expect(await service.playbackInfo(videoId)).toMatchObject({
      videoId,
      status: 'pending',
      outputPrefix: null,
      masterPlaylist: null,
      renditions: [],
    });
    const rendition = {
      name: '480p',
      width: 854,
      height: 480,
      bandwidth: 1,
      averageBandwidth: 1,
      codecs: 'avc1.64001e',
      frameRate: 30,
      playlist: '480p/index.m3u8',
      segments: 2,
      bytes: 10,
    };
    await testEnv.DB.prepare(
      "UPDATE videos SET status = 'ready', output_prefix = ?, master_playlist = 'master.m3u8', renditions = ? WHERE id = ?",
    )
      .bind(`renditions/${videoId}/job_1/`, JSON.stringify([rendition]), videoId)
      .run();
    expect(await service.playbackInfo(videoId)).toEqual({
      videoId,
      status: 'ready',
      outputPrefix: `renditions/${videoId}/job_1/`,
      masterPlaylist: 'master.m3u8',
      renditions: [{ name: '480p', width: 854, height: 480, playlist: '480p/index.m3u8' }],
      storyboard: null,
    });
  });
});
