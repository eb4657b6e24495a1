/**
 * Short synthetic clips made by real ffmpeg (testsrc2 + a sine tone), cached in the OS temp dir
 * across test files and runs. Written to a temp name and renamed, so parallel workers never read
 * a half-written clip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClipSpec {
  width: number;
  height: number;
  seconds: number;
  audio?: boolean;
  fps?: number;
}

const CACHE_DIR = join(tmpdir(), 'transcoder-test-clips');

export function makeClip(spec: ClipSpec): string {
  const { width, height, seconds, audio = true, fps = 30 } = spec;
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = join(
    CACHE_DIR,
    `testsrc2-${width}x${height}-${fps}fps-${seconds}s${audio ? '' : '-silent'}.mp4`,
  );
  if (existsSync(path)) return path;

  const partial = `${path}.${process.pid}.partial.mp4`;
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-b:a', '96k');
  args.push(partial);
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`could not make clip: ${run.stderr}`);
  renameSync(partial, path);
  return path;
}

/** Presentation times (seconds) of the video keyframes in a file or playlist. */
export function keyframeTimes(input: string): number[] {
  const run = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,flags',
      '-of',
      'csv=p=0',
      input,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`ffprobe failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .filter(([, flags]) => flags?.startsWith('K'))
    .map(([pts]) => Number(pts));
}
