/** Real media made by ffmpeg for the end-to-end tests, and ffprobe to check what came out. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function workDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'videos-e2e-'));
}

/** An H.264/AAC MP4 of `seconds` of the testsrc2 pattern with a sine tone. */
export async function makeClip(dir: string, seconds = 6, width = 1280, height = 720): Promise<string> {
  const file = path.join(dir, `clip-${seconds}s-${height}p.mp4`);
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-shortest', file],
  ]);
  return file;
}

/** Bytes that are no media at all. */
export async function makeNonVideo(dir: string): Promise<string> {
  const file = path.join(dir, 'notes.mp4');
  await writeFile(file, 'These are meeting notes, not a video.\n'.repeat(200));
  return file;
}

export interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  format: { duration?: string; format_name: string };
}

export async function ffprobe(url: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format'],
    ...['-protocol_whitelist', 'http,https,tcp,tls,crypto,file'],
    url,
  ]);
  return JSON.parse(stdout) as Probe;
}

/** The #EXTINF durations of a media playlist. */
export function segmentDurations(playlist: string): number[] {
  return [...playlist.matchAll(/^#EXTINF:([\d.]+)/gm)].map((m) => Number(m[1]));
}
