import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FfmpegProgress, probe, runFfmpeg } from '../src/ffmpeg.ts';
import { makeClip } from './support/clips.ts';
import { tempDir } from './support/temp.ts';

describe('probe', () => {
  it('describes the streams and format of a real clip', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 3 });
    const result = await probe(clip);

    const video = result.streams.find((s) => s.codec_type === 'video');
    const audio = result.streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360, avg_frame_rate: '30/1' });
    expect(audio).toMatchObject({ codec_name: 'aac' });
    expect(result.format.format_name).toContain('mp4');
    expect(Number(result.format.duration)).toBeCloseTo(3, 1);
  });
});

describe('runFfmpeg', () => {
  it('reports progress from -progress output, rising to 100 at the end', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 3 });
    const out = join(tempDir('ffmpeg'), 'out.mp4');
    const seen: FfmpegProgress[] = [];

    const final = await runFfmpeg(
      ['-re', '-i', clip, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-y', out],
      { durationSec: 3, stallTimeoutMs: 10_000, onProgress: (p) => seen.push(p) },
    );

    // -re paces input at realtime, so several reports arrive before the end.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const percents = seen.map((p) => p.percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.slice(0, -1).every((p) => p < 100)).toBe(true);
    expect(final).toMatchObject({ done: true, percent: 100 });
    expect(final.outTimeSec).toBeCloseTo(3, 0);
    expect(final.frame).toBe(90);
    expect(seen.some((p) => p.speed !== undefined && p.speed > 0)).toBe(true);
  });
});
