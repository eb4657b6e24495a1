/**
 * Poster and storyboard. The frames themselves come out of the ladder's filter graph (no second
 * decode); here the storyboard frames are packed into one sprite and described by a WebVTT track
 * whose cues point at `sprite.jpg#xywh=x,y,w,h`, the format players (Video.js, Shaka, hls.js UIs) read.
 */
import { open, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runFfmpeg } from './ffmpeg.ts';

export interface StoryboardSettings {
  tileWidth: number;
  columns: number;
  /** The interval grows on long videos so the sprite stays one reasonably sized image. */
  maxTiles: number;
  minIntervalSec: number;
}

export const STORYBOARD_DEFAULTS: StoryboardSettings = {
  tileWidth: 160,
  columns: 10,
  maxTiles: 100,
  minIntervalSec: 2,
};

export function storyboardIntervalSec(
  durationSec: number,
  settings: StoryboardSettings = STORYBOARD_DEFAULTS,
): number {
  return Math.max(settings.minIntervalSec, Math.ceil(durationSec / settings.maxTiles));
}

/** 10% in skips black openings and fade-ins, where the first frame usually is. */
export function posterTimeSec(durationSec: number): number {
  return Math.round(durationSec * 0.1 * 1000) / 1000;
}

export interface Storyboard {
  tiles: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

export interface ComposeStoryboardOptions {
  tilesDir: string;
  spritePath: string;
  vttPath: string;
  intervalSec: number;
  durationSec: number;
  columns: number;
  signal?: AbortSignal;
}

/** Returns undefined when the graph produced no frame (nothing to describe). */
export async function composeStoryboard(options: ComposeStoryboardOptions): Promise<Storyboard | undefined> {
  const files = (await readdir(options.tilesDir)).filter((f) => /^tile_\d+\.png$/.test(f)).sort();
  const first = files[0];
  if (!first) return undefined;
  const { width, height } = await pngSize(join(options.tilesDir, first));
  const columns = Math.min(options.columns, files.length);
  const rows = Math.ceil(files.length / columns);

  await runFfmpeg(
    [
      '-framerate',
      '1',
      '-start_number',
      '1',
      '-i',
      join(options.tilesDir, 'tile_%05d.png'),
      '-vf',
      `tile=${columns}x${rows}`,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-y',
      options.spritePath,
    ],
    { signal: options.signal, stallTimeoutMs: 60_000 },
  );
  // Cues are counted from the frames that exist, so the VTT never points at an empty tile.
  await writeFile(
    options.vttPath,
    storyboardVtt(basename(options.spritePath), files.length, width, height, columns, options),
  );
  return { tiles: files.length, tileWidth: width, tileHeight: height, columns, rows };
}

export function storyboardVtt(
  spriteName: string,
  tiles: number,
  tileWidth: number,
  tileHeight: number,
  columns: number,
  timing: { intervalSec: number; durationSec: number },
): string {
  const cues = ['WEBVTT', ''];
  for (let i = 0; i < tiles; i++) {
    const start = i * timing.intervalSec;
    const end = i === tiles - 1 ? Math.max(timing.durationSec, start + 0.001) : (i + 1) * timing.intervalSec;
    const x = (i % columns) * tileWidth;
    const y = Math.floor(i / columns) * tileHeight;
    cues.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${spriteName}#xywh=${x},${y},${tileWidth},${tileHeight}`,
      '',
    );
  }
  return cues.join('\n');
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** Width and height from the IHDR chunk, which a PNG always starts with. */
async function pngSize(path: string): Promise<{ width: number; height: number }> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(24);
    await file.read(header, 0, 24, 0);
    return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) };
  } finally {
    await file.close();
  }
}
