import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER } from '../../../workers/lib/runner-protocol.ts';
import { buildLadderCommand, planLadder } from '../src/ladder.ts';

const heights = (rungs: { height: number }[]) => rungs.map((r) => r.height);

describe('planLadder', () => {
  it('keeps every rung for a 1080p source, tallest first', () => {
    expect(heights(planLadder(DEFAULT_LADDER, { width: 1920, height: 1080 }))).toEqual([1080, 720, 480, 360]);
  });

  it('never upscales: a 640x360 source gets no 720p or 1080p', () => {
    expect(heights(planLadder(DEFAULT_LADDER, { width: 640, height: 360 }))).toEqual([360]);
  });

  it('keeps one rung at the source height, rounded to even, when the source is smaller than every rung', () => {
    const [only, ...rest] = planLadder(DEFAULT_LADDER, { width: 320, height: 179 });
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ name: '178p', height: 178 });
    // Fewer pixels than the smallest rung: fewer bits, never below the floor.
    expect(only?.videoBitrateKbps).toBeLessThan(800);
    expect(only?.videoBitrateKbps).toBeGreaterThanOrEqual(100);
  });

  it('measures a portrait video by its short side', () => {
    expect(heights(planLadder(DEFAULT_LADDER, { width: 720, height: 1280 }))).toEqual([720, 480, 360]);
  });
});

describe('buildLadderCommand', () => {
  const source = { width: 1920, height: 1080, frameRate: 30, videoStreamIndex: 0, audioStreamIndex: 1 };
  const rungs = planLadder(DEFAULT_LADDER, source);
  const args = buildLadderCommand({
    input: '/w/master',
    outDir: '/w/out',
    rungs,
    source,
    segmentSeconds: 2,
    x264Preset: 'veryfast',
  });
  const value = (flag: string) => args[args.indexOf(flag) + 1];

  it('decodes once and scales each rung from the one above it', () => {
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(value('-filter_complex')?.split(';')).toEqual([
      '[0:0]scale=-2:1080,format=yuv420p,split=2[v0][c0]',
      '[c0]scale=-2:720,format=yuv420p,split=2[v1][c1]',
      '[c1]scale=-2:480,format=yuv420p,split=2[v2][c2]',
      '[c2]scale=-2:360,format=yuv420p[v3]',
    ]);
  });

  it('takes the poster from the top rung and the storyboard tiles from the bottom one', () => {
    const thumbnails = {
      posterPath: '/w/out/poster.jpg',
      posterAtSec: 3,
      tilesPattern: '/w/t/tile_%05d.png',
      tileIntervalSec: 2,
      tileWidth: 160,
    };
    const cmd = buildLadderCommand({
      input: '/w/master',
      outDir: '/w/out',
      rungs,
      source,
      segmentSeconds: 2,
      x264Preset: 'veryfast',
      thumbnails,
    });
    const graph = cmd[cmd.indexOf('-filter_complex') + 1]?.split(';') ?? [];
    expect(graph[0]).toBe('[0:0]scale=-2:1080,format=yuv420p,split=3[v0][c0][poster]');
    expect(graph[3]).toBe('[c2]scale=-2:360,format=yuv420p,split=2[v3][tiles]');
    expect(graph[4]).toContain('gte(t\\,3.000)');
    expect(graph[5]).toContain('scale=160:-2[tilesOut]');
    expect(cmd.slice(-5)).toEqual(['-map', '[tilesOut]', '-fps_mode', 'passthrough', '/w/t/tile_%05d.png']);
  });

  it('aligns keyframes on segment boundaries with a matching GOP', () => {
    expect(value('-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(value('-g')).toBe('60');
    expect(value('-sc_threshold')).toBe('0');
    expect(value('-hls_time')).toBe('2');
  });

  it('writes fMP4 HLS, one folder per rung, audio muxed into each variant', () => {
    expect(value('-hls_segment_type')).toBe('fmp4');
    expect(value('-var_stream_map')).toBe(
      'v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:480p v:3,a:3,name:360p',
    );
    expect(args.at(-1)).toBe('/w/out/%v/index.m3u8');
    expect(value('-b:v:1')).toBe('3000k');
    expect(value('-maxrate:v:1')).toBe('4500k');
  });

  it('maps no audio for a silent source', () => {
    const silent = { ...source, audioStreamIndex: undefined };
    const cmd = buildLadderCommand({
      input: '/w/master',
      outDir: '/w/out',
      rungs,
      source: silent,
      segmentSeconds: 2,
      x264Preset: 'veryfast',
    });
    expect(cmd).not.toContain('-c:a');
    expect(cmd[cmd.indexOf('-var_stream_map') + 1]).toBe(
      'v:0,name:1080p v:1,name:720p v:2,name:480p v:3,name:360p',
    );
  });

  it('only lets a local file in a video container be read', () => {
    expect(value('-protocol_whitelist')).toBe('file');
    expect(value('-format_whitelist')).toContain('mov');
    expect(value('-format_whitelist')).not.toContain('hls');
  });
});
