import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LADDER } from '../../../workers/lib/runner-protocol.ts';
import { probe } from '../src/ffmpeg.ts';
import { parseMediaPlaylist } from '../src/renditions.ts';
import { type TranscodeProgress, type TranscodeResult, transcodeLadder } from '../src/transcode.ts';
import { keyframeTimes, makeClip } from './support/clips.ts';
import { tempDir } from './support/temp.ts';

const limits = { maxDurationSec: 600, maxInputBytes: 1e9, maxWidth: 3840, maxHeight: 2160 };

async function transcode(input: string, onProgress?: (p: TranscodeProgress) => void) {
  const workDir = tempDir('transcode');
  const outDir = join(workDir, 'out');
  const result = await transcodeLadder({
    input,
    outDir,
    scratchDir: join(workDir, 'scratch'),
    ladder: DEFAULT_LADDER,
    segmentSeconds: 2,
    limits,
    inputBytes: statSync(input).size,
    x264Preset: 'veryfast',
    stallTimeoutMs: 30_000,
    onProgress,
  });
  return { outDir, result };
}

function masterVariants(text: string): { attributes: Record<string, string>; uri: string }[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return [];
    // Attribute values may hold commas inside quotes (CODECS).
    const pairs = line.slice('#EXT-X-STREAM-INF:'.length).match(/[A-Z-]+=("[^"]*"|[^,]*)/g) ?? [];
    const attributes = Object.fromEntries(
      pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1).replace(/"/g, '')]),
    );
    return [{ attributes, uri: lines[i + 1] ?? '' }];
  });
}

describe('transcodeLadder on a 1280x720 clip with audio', () => {
  let outDir: string;
  let result: TranscodeResult;
  const progress: TranscodeProgress[] = [];

  beforeAll(async () => {
    ({ outDir, result } = await transcode(makeClip({ width: 1280, height: 720, seconds: 4 }), (p) =>
      progress.push(p),
    ));
  });

  it('writes every rung up to the source height and none above it', () => {
    expect(result.renditions.map((r) => r.name)).toEqual(['720p', '480p', '360p']);
    expect(existsSync(join(outDir, '1080p'))).toBe(false);
    expect(result.source).toEqual({ width: 1280, height: 720, codec: 'h264', frameRate: 30, hasAudio: true });
    expect(result.durationSec).toBeCloseTo(4, 1);
  });

  it('each rendition playlist probes as H.264 + AAC at the promised height', async () => {
    for (const rendition of result.renditions) {
      const probed = await probe(join(outDir, rendition.playlist));
      const video = probed.streams.find((s) => s.codec_type === 'video');
      const audio = probed.streams.find((s) => s.codec_type === 'audio');
      const rung = DEFAULT_LADDER.find((r) => r.name === rendition.name);
      expect(video).toMatchObject({ codec_name: 'h264', height: rung?.height, width: rendition.width });
      expect(audio).toMatchObject({ codec_name: 'aac' });
      expect(rendition.height).toBe(rung?.height);
    }
  });

  it('cuts segments of segmentSeconds with keyframes at the same instants in every rendition', () => {
    const keyframesPerRendition = new Set<string>();
    for (const rendition of result.renditions) {
      const playlistPath = join(outDir, rendition.playlist);
      const { mapUri, segments } = parseMediaPlaylist(readFileSync(playlistPath, 'utf8'));
      expect(mapUri).toBe('init.mp4');
      expect(segments).toHaveLength(rendition.segments);
      for (const segment of segments.slice(0, -1)) expect(segment.durationSec).toBeCloseTo(2, 1);
      expect(segments.reduce((sum, s) => sum + s.durationSec, 0)).toBeCloseTo(4, 1);
      // Times are presentation times, shifted by the B-frame delay; what matters is the 2 s spacing.
      const keyframes = keyframeTimes(playlistPath);
      expect(keyframes.map((t) => Math.round((t - (keyframes[0] ?? 0)) * 100) / 100)).toEqual([0, 2]);
      keyframesPerRendition.add(keyframes.join(','));
    }
    expect(keyframesPerRendition.size).toBe(1);
  });

  it('writes a master playlist with measured BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE', () => {
    const variants = masterVariants(readFileSync(join(outDir, 'master.m3u8'), 'utf8'));
    expect(variants.map((v) => v.uri)).toEqual(result.renditions.map((r) => r.playlist));
    for (const [i, { attributes, uri }] of variants.entries()) {
      const rendition = result.renditions[i];
      expect(existsSync(join(outDir, uri))).toBe(true);
      expect(attributes.RESOLUTION).toBe(`${rendition?.width}x${rendition?.height}`);
      expect(attributes.CODECS).toMatch(/^avc1\.64[0-9a-f]{4},mp4a\.40\.2$/);
      expect(attributes['FRAME-RATE']).toBe('30.000');
      const peak = Number(attributes.BANDWIDTH);
      const average = Number(attributes['AVERAGE-BANDWIDTH']);
      expect(average).toBeGreaterThan(0);
      expect(peak).toBeGreaterThanOrEqual(average);
      expect(peak).toBe(rendition?.bandwidth);
    }
    // Measured, not copied from the settings: the 720p variant sits near its 3000k + 128k target.
    const top = Number(variants[0]?.attributes['AVERAGE-BANDWIDTH']);
    expect(top).toBeGreaterThan(1_500_000);
    expect(top).toBeLessThan(6_000_000);
  });

  it('writes a poster and a storyboard sprite whose VTT cues point at real tiles', async () => {
    const poster = await probe(join(outDir, 'poster.jpg'));
    expect(poster.streams[0]).toMatchObject({ codec_name: 'mjpeg', height: 720 });

    const sprite = (await probe(join(outDir, 'storyboard.jpg'))).streams[0];
    const vtt = readFileSync(join(outDir, 'storyboard.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    const cues = [...vtt.matchAll(/([\d:.]+) --> ([\d:.]+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)];
    expect(cues).toHaveLength(2);
    for (const [, , , file, x, y, w, h] of cues) {
      expect(file).toBe('storyboard.jpg');
      expect(Number(w)).toBe(160);
      expect(Number(x) + Number(w)).toBeLessThanOrEqual(sprite?.width ?? 0);
      expect(Number(y) + Number(h)).toBeLessThanOrEqual(sprite?.height ?? 0);
    }
    expect(cues.map((c) => c[1])).toEqual(['00:00:00.000', '00:00:02.000']);
    expect(cues.at(-1)?.[2]).toBe('00:00:04.000');
    expect(result.thumbnails).toEqual({
      poster: 'poster.jpg',
      storyboard: { sprite: 'storyboard.jpg', vtt: 'storyboard.vtt' },
    });
  });

  it('only publishable files land in the output folder', () => {
    const top = readdirSync(outDir).sort();
    expect(top).toEqual([
      '360p',
      '480p',
      '720p',
      'master.m3u8',
      'poster.jpg',
      'storyboard.jpg',
      'storyboard.vtt',
    ]);
    expect(readdirSync(join(outDir, '720p')).sort()).toEqual([
      'index.m3u8',
      'init.mp4',
      'seg_00001.m4s',
      'seg_00002.m4s',
    ]);
  });

  it('reports progress through the stages, transcoding rising to 100', () => {
    expect([...new Set(progress.map((p) => p.stage))]).toEqual(['probing', 'transcoding', 'thumbnails']);
    const encoding = progress.filter((p) => p.stage === 'transcoding').map((p) => p.percent);
    expect(encoding.length).toBeGreaterThan(2);
    expect(encoding).toEqual([...encoding].sort((a, b) => a - b));
    expect(encoding.at(-1)).toBe(100);
  });
});

describe('transcodeLadder on small and silent sources', () => {
  it('never upscales: a 640x360 source yields 360p only', async () => {
    const { outDir, result } = await transcode(makeClip({ width: 640, height: 360, seconds: 3 }));
    expect(result.renditions.map((r) => [r.name, r.width, r.height])).toEqual([['360p', 640, 360]]);
    expect(
      readdirSync(outDir)
        .filter((f) => f.endsWith('p'))
        .sort(),
    ).toEqual(['360p']);
  });

  it('a source without audio gets video-only renditions', async () => {
    const { outDir, result } = await transcode(
      makeClip({ width: 640, height: 360, seconds: 3, audio: false }),
    );
    expect(result.source.hasAudio).toBe(false);
    for (const rendition of result.renditions) {
      expect(rendition.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
      const probed = await probe(join(outDir, rendition.playlist));
      expect(probed.streams.map((s) => s.codec_type)).toEqual(['video']);
    }
    expect(readFileSync(join(outDir, 'master.m3u8'), 'utf8')).not.toContain('mp4a');
  });
});
