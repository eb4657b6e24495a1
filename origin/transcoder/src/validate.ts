/**
 * Validation before any encoding: a bad upload must fail fast, non-retryably, with a reason a
 * human uploader understands, instead of burning attempts on every runner.
 */
import type { Job } from '../../../workers/lib/runner-protocol.ts';
import { JobFailure } from './errors.ts';
import { FfmpegError, ProbeError, type ProbeResult, parseFrameRate, probe, runFfmpeg } from './ffmpeg.ts';
import { formatBytes, formatDuration } from './format.ts';
import { untrustedInputArgs } from './untrusted-input.ts';

export type SourceLimits = Job['limits'];

export interface SourceInfo {
  durationSec: number;
  /** Display size: a phone video stored landscape with a 90° rotation reports portrait here, as ffmpeg will output it. */
  width: number;
  height: number;
  codec: string;
  frameRate: number | undefined;
  videoStreamIndex: number;
  /** The first audio stream, or undefined for a silent video (renditions are then video-only). */
  audioStreamIndex: number | undefined;
}

export interface InspectOptions {
  limits: SourceLimits;
  inputBytes: number;
  signal?: AbortSignal;
}

export async function inspectSource(input: string, options: InspectOptions): Promise<SourceInfo> {
  let result: ProbeResult;
  try {
    result = await probe(input, { inputArgs: untrustedInputArgs(input), signal: options.signal });
  } catch (err) {
    if (err instanceof ProbeError && err.rejectedFormat) {
      throw new JobFailure(
        `The upload is not in a supported video format (found: ${err.rejectedFormat})`,
        false,
      );
    }
    if (err instanceof ProbeError)
      throw new JobFailure(`The upload is not a video file (ffprobe: ${err.detail})`, false);
    throw err;
  }
  const source = describeSource(result);
  checkLimits(source, options.limits, options.inputBytes);
  await assertDecodable(input, source, options.signal);
  return source;
}

export function describeSource(result: ProbeResult): SourceInfo {
  const video = result.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) {
    const found = [...new Set(result.streams.map((s) => s.codec_type))].join(', ') || 'no streams';
    throw new JobFailure(`The upload has no video stream (found: ${found})`, false);
  }
  if (!video.width || !video.height) throw new JobFailure('The video stream has no picture size', false);
  const durationSec = Number(result.format.duration ?? video.duration);
  if (!Number.isFinite(durationSec) || durationSec <= 0) {
    throw new JobFailure('The upload has no measurable duration', false);
  }
  const quarterTurn = Math.abs(rotationOf(video)) % 180 === 90;
  const audio = result.streams.find((s) => s.codec_type === 'audio');
  return {
    durationSec,
    width: quarterTurn ? video.height : video.width,
    height: quarterTurn ? video.width : video.height,
    codec: video.codec_name ?? 'unknown',
    frameRate: parseFrameRate(video.avg_frame_rate) ?? parseFrameRate(video.r_frame_rate),
    videoStreamIndex: video.index,
    audioStreamIndex: audio?.index,
  };
}

/** Below this the lowest rung cannot be encoded (H.264 macroblocks are 16 px). */
export const MIN_SIDE_PX = 16;
/** Above this a "frame rate" is a broken timestamp track, and encoding it would explode the output. */
export const MAX_FRAME_RATE = 240;

export function checkLimits(source: SourceInfo, limits: SourceLimits, inputBytes: number): void {
  if (inputBytes > limits.maxInputBytes) {
    throw new JobFailure(
      `The upload is ${formatBytes(inputBytes)}; the limit is ${formatBytes(limits.maxInputBytes)}`,
      false,
    );
  }
  if (source.durationSec > limits.maxDurationSec) {
    throw new JobFailure(
      `The video is ${formatDuration(source.durationSec)} long; the limit is ${formatDuration(limits.maxDurationSec)}`,
      false,
    );
  }
  // Compare orientation-free: a portrait 1080x1920 fits a 1920x1080 limit.
  const [long, short] = [Math.max(source.width, source.height), Math.min(source.width, source.height)];
  const [maxLong, maxShort] = [
    Math.max(limits.maxWidth, limits.maxHeight),
    Math.min(limits.maxWidth, limits.maxHeight),
  ];
  if (long > maxLong || short > maxShort) {
    throw new JobFailure(
      `The video is ${source.width}x${source.height}; the limit is ${limits.maxWidth}x${limits.maxHeight}`,
      false,
    );
  }
  if (short < MIN_SIDE_PX) {
    throw new JobFailure(
      `The video is ${source.width}x${source.height}; each side must be at least ${MIN_SIDE_PX} px`,
      false,
    );
  }
  if (source.frameRate !== undefined && source.frameRate > MAX_FRAME_RATE) {
    throw new JobFailure(
      `The video runs at ${Math.round(source.frameRate)} fps; the limit is ${MAX_FRAME_RATE} fps`,
      false,
    );
  }
}

/** ffprobe names codecs it has no decoder for; decoding one frame proves the encode can start. */
async function assertDecodable(input: string, source: SourceInfo, signal?: AbortSignal): Promise<void> {
  const args = [
    ...untrustedInputArgs(input),
    '-map',
    `0:${source.videoStreamIndex}`,
    '-frames:v',
    '1',
    '-f',
    'null',
    '-',
  ];
  try {
    const result = await runFfmpeg(args, { signal, stallTimeoutMs: 60_000 });
    if (result.frame >= 1) return;
  } catch (err) {
    if (!(err instanceof FfmpegError)) throw err;
    const detail = err.stderrTail.split('\n').at(-1)?.replace(`${input}: `, '');
    throw new JobFailure(
      `The video stream (${source.codec}) cannot be decoded (ffmpeg: ${detail || 'no frame'})`,
      false,
    );
  }
  throw new JobFailure(`The video stream (${source.codec}) cannot be decoded (no frame came out)`, false);
}

function rotationOf(video: ProbeResult['streams'][number]): number {
  const matrix = video.side_data_list?.find((d) => d.rotation !== undefined);
  return matrix?.rotation ?? Number(video.tags?.rotate ?? 0);
}
