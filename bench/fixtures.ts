/**
 * Media fixtures for benchmarks, generated with ffmpeg on first use and cached under bench/out/
 * (git-ignored), so repeated runs measure the code rather than the fixture.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';

const OUT = path.resolve(import.meta.dirname, 'out');

export interface SourceSpec {
  width: number;
  height: number;
  seconds: number;
  fps: number;
}

/**
 * testsrc2 (moving, detailed) with a sine tone, encoded like a typical camera/editor export:
 * H.264 High at a high quality (CRF 18) with B-frames, so decoding it costs what a real master does.
 */
export function benchSource(spec: SourceSpec): string {
  const { width, height, seconds, fps } = spec;
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `source-${width}x${height}-${fps}fps-${seconds}s.mp4`);
  if (existsSync(file)) return file;

  console.log(`generating ${path.relative(process.cwd(), file)} (once; cached afterwards)…`);
  const partial = `${file}.partial.mp4`;
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', String(seconds), '-pix_fmt', 'yuv420p'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(fps * 2)],
      ...['-c:a', 'aac', '-b:a', '192k', '-movflags', '+faststart'],
      partial,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error('could not generate the benchmark source');
  renameSync(partial, file);
  return file;
}
