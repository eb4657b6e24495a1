/**
 * The ladder: which renditions a source gets, and the ONE ffmpeg command that decodes the master
 * once and encodes every rendition (plus the poster and storyboard frames) from that single decode.
 */
import { join } from 'node:path';
import type { LadderRung } from '../../../workers/lib/runner-protocol.ts';
import { untrustedInputArgs } from './untrusted-input.ts';
import type { SourceInfo } from './validate.ts';

/** Below this, a rung made for a tiny source is not worth more bits. */
const MIN_VIDEO_KBPS = 100;

/**
 * Rungs no taller than the source, tallest first. "Height" is the short side, so a portrait phone
 * video gets the same quality steps as a landscape one instead of tiny pillarboxed widths.
 * A source smaller than every rung still gets one rendition at its own (even) size.
 */
export function planLadder(
  ladder: readonly LadderRung[],
  source: Pick<SourceInfo, 'width' | 'height'>,
): LadderRung[] {
  const shortSide = Math.min(source.width, source.height);
  const byHeight = new Map<number, LadderRung>();
  for (const rung of ladder) {
    if (rung.height <= shortSide && !byHeight.has(rung.height)) byHeight.set(rung.height, rung);
  }
  const kept = [...byHeight.values()].sort((a, b) => b.height - a.height);
  if (kept.length > 0) return kept;

  const smallest = [...ladder].sort((a, b) => a.height - b.height)[0];
  if (!smallest) throw new Error('empty ladder');
  const height = Math.max(2, shortSide - (shortSide % 2));
  const area = (height / smallest.height) ** 2;
  const scale = (kbps: number) => Math.max(MIN_VIDEO_KBPS, Math.round(kbps * area));
  return [
    {
      name: `${height}p`,
      height,
      videoBitrateKbps: scale(smallest.videoBitrateKbps),
      maxrateKbps: scale(smallest.maxrateKbps ?? smallest.videoBitrateKbps),
      audioBitrateKbps: smallest.audioBitrateKbps,
    },
  ];
}

/**
 * Extra outputs of the same filter graph, so thumbnails cost no second decode of the master: the
 * poster is taken from the top rung's frames, the storyboard tiles from the bottom rung's.
 */
export interface ThumbnailOutputs {
  posterPath: string;
  posterAtSec: number;
  /** printf-style pattern for the storyboard frames, e.g. `/work/j1/tiles/tile_%05d.png`. */
  tilesPattern: string;
  tileIntervalSec: number;
  tileWidth: number;
}

export interface LadderCommandSpec {
  input: string;
  outDir: string;
  /** Tallest first, as planLadder returns them. */
  rungs: readonly LadderRung[];
  source: Pick<SourceInfo, 'width' | 'height' | 'frameRate' | 'videoStreamIndex' | 'audioStreamIndex'>;
  segmentSeconds: number;
  x264Preset: string;
  thumbnails?: ThumbnailOutputs;
}

/** Rendition folders are named after the rung: `720p/index.m3u8`, `720p/seg_00001.m4s`. */
export function buildLadderCommand(spec: LadderCommandSpec): string[] {
  const { rungs, source, segmentSeconds, thumbnails } = spec;
  const portrait = source.height > source.width;
  const hasAudio = source.audioStreamIndex !== undefined;

  // A cascade: each rung is scaled from the one above it, not from the source. Each step is a
  // small (≤ 1.5×) bicubic downscale, and the smaller inputs save ~5% of the whole job's CPU
  // against scaling every rung from the full-size decode (bench/transcode-ladder.ts).
  const graph: string[] = [];
  let from = `[0:${source.videoStreamIndex}]`;
  rungs.forEach((rung, i) => {
    const last = i === rungs.length - 1;
    const outputs = [`[v${i}]`];
    if (!last) outputs.push(`[c${i}]`);
    if (thumbnails && i === 0) outputs.push('[poster]');
    if (thumbnails && last) outputs.push('[tiles]');
    // -2 keeps the other side even (x264 with 4:2:0 needs it); format pins 8-bit 4:2:0 for High profile.
    const size = portrait ? `${rung.height}:-2` : `-2:${rung.height}`;
    const fanOut = outputs.length > 1 ? `,split=${outputs.length}${outputs.join('')}` : outputs.join('');
    graph.push(`${from}scale=${size},format=yuv420p${fanOut}`);
    from = `[c${i}]`;
  });
  if (thumbnails) {
    // The first frame is written too (then overwritten by -update): ffmpeg prints no progress until
    // every output has its first frame, and a poster 10% in would hide progress for that long.
    const posterAt = thumbnails.posterAtSec.toFixed(3);
    graph.push(
      `[poster]setpts=PTS-STARTPTS,select='eq(n\\,0)+eq(selected_n\\,1)*gte(t\\,${posterAt})',trim=end_frame=2[posterOut]`,
    );
    graph.push(
      `[tiles]setpts=PTS-STARTPTS,select='gte(t\\,selected_n*${thumbnails.tileIntervalSec})',` +
        `scale=${thumbnails.tileWidth}:-2[tilesOut]`,
    );
  }

  const gop = Math.max(1, Math.round((source.frameRate ?? 30) * segmentSeconds));
  const args = [...untrustedInputArgs(spec.input), '-filter_complex', graph.join(';')];
  rungs.forEach((_, i) => {
    args.push('-map', `[v${i}]`);
    if (hasAudio) args.push('-map', `0:${source.audioStreamIndex}`);
  });

  const encoding: [string, string][] = [
    ['-c:v', 'libx264'],
    ['-preset', spec.x264Preset],
    ['-profile:v', 'high'],
    // Keyframes exactly on segment boundaries in every rendition, so players can switch at any segment.
    ['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`],
    ['-g', String(gop)],
    ['-keyint_min', String(gop)],
    ['-sc_threshold', '0'],
  ];
  rungs.forEach((rung, i) => {
    encoding.push(
      [`-b:v:${i}`, `${rung.videoBitrateKbps}k`],
      [`-maxrate:v:${i}`, `${rung.maxrateKbps ?? Math.round(rung.videoBitrateKbps * 1.5)}k`],
      [`-bufsize:v:${i}`, `${rung.videoBitrateKbps * 2}k`],
    );
    if (hasAudio) encoding.push([`-b:a:${i}`, `${rung.audioBitrateKbps}k`]);
  });
  if (hasAudio) encoding.push(['-c:a', 'aac'], ['-ac', '2']);

  const streamMap = rungs.map((rung, i) => (hasAudio ? `v:${i},a:${i},` : `v:${i},`) + `name:${rung.name}`);
  const hls: [string, string][] = [
    // Packets wait in the muxing queue until every stream of the output has started; 5 encoders
    // warming up at different speeds can overflow ffmpeg's default of 128.
    ['-max_muxing_queue_size', '4096'],
    ['-f', 'hls'],
    ['-hls_time', String(segmentSeconds)],
    ['-hls_playlist_type', 'vod'],
    ['-hls_segment_type', 'fmp4'],
    ['-hls_flags', 'independent_segments'],
    // ffmpeg 5.1 suffixes a plain init name with the stream number when there are several variants;
    // the name carries %v instead and is renamed to init.mp4 afterwards (see renditions.ts).
    ['-hls_fmp4_init_filename', 'init_%v.mp4'],
    ['-start_number', '1'],
    ['-hls_segment_filename', join(spec.outDir, '%v', 'seg_%05d.m4s')],
    ['-var_stream_map', streamMap.join(' ')],
  ];
  args.push(...encoding.flat(), ...hls.flat(), join(spec.outDir, '%v', 'index.m3u8'));

  if (thumbnails) {
    // Image muxers default to constant frame rate, which would duplicate the sparse frames.
    const poster = [
      ['-map', '[posterOut]'],
      ['-fps_mode', 'passthrough'],
      ['-update', '1'],
      ['-q:v', '3'],
    ];
    const tiles = [
      ['-map', '[tilesOut]'],
      ['-fps_mode', 'passthrough'],
    ];
    args.push(...poster.flat(), thumbnails.posterPath, ...tiles.flat(), thumbnails.tilesPattern);
  }
  return args;
}
