/**
 * transcodeLadder: a local master file in, a finished HLS ladder with thumbnails out. No network:
 * the job wraps it with download/upload, the benchmark calls it as is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobEncryption, JobOutputs, LadderRung } from '../../../workers/lib/runner-protocol.ts';
import { runFfmpeg } from './ffmpeg.ts';
import { buildLadderCommand, planLadder } from './ladder.ts';
import { renderMasterPlaylist } from './master-playlist.ts';
import { finalizeRendition } from './renditions.ts';
import {
  composeStoryboard,
  posterTimeSec,
  STORYBOARD_DEFAULTS,
  storyboardIntervalSec,
} from './thumbnails.ts';
import { inspectSource, type SourceLimits } from './validate.ts';

export type TranscodeStage = 'probing' | 'transcoding' | 'thumbnails';

export interface TranscodeProgress {
  stage: TranscodeStage;
  /** 0–100 within the stage. */
  percent: number;
  speed?: number;
}

export interface TranscodeOptions {
  input: string;
  /** Everything written here is meant to be published (playlists, segments, poster, storyboard). */
  outDir: string;
  /** Intermediate files that must not be uploaded. */
  scratchDir: string;
  ladder: readonly LadderRung[];
  segmentSeconds: number;
  limits: SourceLimits;
  inputBytes: number;
  x264Preset: string;
  stallTimeoutMs: number;
  /** The job's content key: segments are written AES-128 encrypted (encryption.ts). */
  encryption?: JobEncryption;
  signal?: AbortSignal;
  onProgress?: (progress: TranscodeProgress) => void;
}

export type TranscodeResult = Omit<JobOutputs, 'elapsedMs'>;

export const OUTPUT_NAMES = {
  master: 'master.m3u8',
  poster: 'poster.jpg',
  sprite: 'storyboard.jpg',
  vtt: 'storyboard.vtt',
} as const;

export async function transcodeLadder(options: TranscodeOptions): Promise<TranscodeResult> {
  const { outDir, signal, onProgress } = options;
  onProgress?.({ stage: 'probing', percent: 0 });
  const source = await inspectSource(options.input, {
    limits: options.limits,
    inputBytes: options.inputBytes,
    signal,
  });
  const rungs = planLadder(options.ladder, source);

  const tilesDir = join(options.scratchDir, 'storyboard-tiles');
  await mkdir(outDir, { recursive: true });
  await mkdir(tilesDir, { recursive: true });
  const tileIntervalSec = storyboardIntervalSec(source.durationSec);
  const args = buildLadderCommand({
    input: options.input,
    outDir,
    rungs,
    source,
    segmentSeconds: options.segmentSeconds,
    x264Preset: options.x264Preset,
    thumbnails: {
      posterPath: join(outDir, OUTPUT_NAMES.poster),
      posterAtSec: posterTimeSec(source.durationSec),
      tilesPattern: join(tilesDir, 'tile_%05d.png'),
      tileIntervalSec,
      tileWidth: STORYBOARD_DEFAULTS.tileWidth,
    },
  });

  onProgress?.({ stage: 'transcoding', percent: 0 });
  await runFfmpeg(args, {
    durationSec: source.durationSec,
    stallTimeoutMs: options.stallTimeoutMs,
    signal,
    onProgress: (p) => onProgress?.({ stage: 'transcoding', percent: p.percent ?? 0, speed: p.speed }),
  });

  onProgress?.({ stage: 'thumbnails', percent: 0 });
  const [storyboard, renditions] = await Promise.all([
    composeStoryboard({
      tilesDir,
      spritePath: join(outDir, OUTPUT_NAMES.sprite),
      vttPath: join(outDir, OUTPUT_NAMES.vtt),
      intervalSec: tileIntervalSec,
      durationSec: source.durationSec,
      columns: STORYBOARD_DEFAULTS.columns,
      signal,
    }),
    Promise.all(
      rungs.map((rung) => finalizeRendition(outDir, rung, options.segmentSeconds, options.encryption)),
    ),
  ]);
  await writeFile(join(outDir, OUTPUT_NAMES.master), renderMasterPlaylist(renditions));
  onProgress?.({ stage: 'thumbnails', percent: 100 });

  return {
    durationSec: source.durationSec,
    masterPlaylist: OUTPUT_NAMES.master,
    renditions,
    thumbnails: {
      poster: OUTPUT_NAMES.poster,
      storyboard: storyboard ? { sprite: OUTPUT_NAMES.sprite, vtt: OUTPUT_NAMES.vtt } : undefined,
    },
    source: {
      width: source.width,
      height: source.height,
      codec: source.codec,
      frameRate: source.frameRate ?? 0,
      hasAudio: source.audioStreamIndex !== undefined,
    },
  };
}
