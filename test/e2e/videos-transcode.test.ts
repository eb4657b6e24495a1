import { beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/http.ts';
import {
  adminToken,
  createVideo,
  jobsOf,
  putFile,
  requestUpload,
  waitForVideo,
} from './support/videos-api.ts';
import { ffprobe, makeClip, makeNonVideo, segmentDurations, workDir } from './support/videos-clips.ts';
import { timesSent, videoEventsProcessed } from './support/videos-events.ts';

let dir: string;
beforeAll(async () => {
  dir = await workDir();
});

const settled = (v: { status: string }) => v.status === 'ready' || v.status === 'failed';

describe('upload → transcode → renditions, end to end', () => {
  it('turns a real 6 s 720p clip into an HLS ladder that ffprobe reads through signed GETs', async () => {
    const clip = await makeClip(dir, 6, 1280, 720);
    const { videoId } = await createVideo({ title: 'testsrc2 720p' });
    const presigned = await requestUpload(videoId, clip, 'video/mp4');
    expect(presigned).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'video/mp4' } });

    const put = await putFile(presigned, clip);
    expect(put.status).toBe(200);
    const afterPut = (await api('GET', `/videos/${videoId}`, { token: await adminToken() })).body;
    expect(['uploaded', 'processing']).toContain(afterPut.status);

    const video = await waitForVideo(videoId, settled, 150_000);
    expect(video.status, video.failureReason).toBe('ready');
    expect(video.transcode).toMatchObject({ state: 'completed', progress: 100 });
    expect(video.durationSec).toBeCloseTo(6, 0);
    // Never upscaled: a 720p source gets the 720, 480 and 360 rungs of the 1080/720/480/360 ladder.
    expect(video.renditions.map((r: { height: number }) => r.height)).toEqual([720, 480, 360]);

    const poster = await fetch(video.thumbnailUrl);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');

    const outputs = await api('GET', `/videos/${videoId}/renditions`, { token: await adminToken() });
    expect(outputs.status).toBe(200);
    const master = await ffprobe(outputs.body.master);
    const heights = master.streams.filter((s) => s.codec_type === 'video').map((s) => s.height);
    expect(new Set(heights)).toEqual(new Set([720, 480, 360]));

    for (const rendition of outputs.body.renditions) {
      const probe = await ffprobe(rendition.url);
      const v = probe.streams.find((s) => s.codec_type === 'video')!;
      const a = probe.streams.find((s) => s.codec_type === 'audio')!;
      expect({ name: rendition.name, width: v.width, height: v.height }).toEqual({
        name: rendition.name,
        width: rendition.width,
        height: rendition.height,
      });
      expect(v.width).toBe(2 * Math.round((rendition.height * 16) / 9 / 2));
      expect(v.codec_name).toBe('h264');
      expect(a.codec_name).toBe('aac');
      expect(rendition.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/i);
      const playlist = await (await fetch(rendition.url)).text();
      const durations = segmentDurations(playlist);
      expect(durations.length).toBe(3);
      for (const d of durations.slice(0, -1)) expect(Math.abs(d - 2)).toBeLessThan(0.1);
      expect(durations.reduce((x, y) => x + y, 0)).toBeCloseTo(6, 0);
    }

    // The upload URL is spent: repeating the PUT is refused before anything is written, no second job.
    expect(timesSent('VideoUploaded', videoId)).toBe(1);
    const again = await putFile(presigned, clip);
    expect(again.status).toBe(409);
    expect(timesSent('VideoUploaded', videoId)).toBe(1);
    await videoEventsProcessed();
    const jobs = await jobsOf(videoId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      state: 'completed',
      claims: [expect.objectContaining({ outcome: 'succeeded' })],
    });
    expect((await api('GET', `/videos/${videoId}`)).body.status).toBe('ready');
  });

  it('ends a non-video upload failed, with the reason', async () => {
    const file = await makeNonVideo(dir);
    const { videoId } = await createVideo({ title: 'Not a video' });
    const put = await putFile(await requestUpload(videoId, file, 'video/mp4'), file);
    expect(put.status).toBe(200);
    const video = await waitForVideo(videoId, settled, 90_000);
    expect(video.status).toBe('failed');
    expect(video.failureReason).toEqual(expect.any(String));
    expect(video.failureReason.length).toBeGreaterThan(5);
    expect(video.transcode).toMatchObject({ state: 'failed', lastError: video.failureReason });
    expect((await api('GET', `/videos/${videoId}`)).status).toBe(404);
  });
});
