/**
 * A thin typed wrapper over the ffmpeg and ffprobe binaries (fluent-ffmpeg is archived). ffmpeg
 * reports its own progress with `-progress pipe:1`; that stream is also the liveness signal used to
 * kill an encode that stopped moving.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { z } from 'zod';
import { JobFailure } from './errors.ts';

const ProbeStream = z.object({
  index: z.number().int(),
  codec_type: z.string(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  level: z.number().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: z.string().optional(),
  nb_frames: z.string().optional(),
  channels: z.number().int().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
  side_data_list: z
    .array(z.object({ side_data_type: z.string().optional(), rotation: z.number().optional() }))
    .optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
export type ProbeStream = z.infer<typeof ProbeStream>;

const ProbeResult = z.object({
  streams: z.array(ProbeStream).default([]),
  format: z.object({
    format_name: z.string(),
    duration: z.string().optional(),
    size: z.string().optional(),
    bit_rate: z.string().optional(),
  }),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/**
 * ffprobe could not read the input; `detail` is its own message without the file path, and
 * `rejectedFormat` the demuxer it found when that one is not on the input's format whitelist.
 */
export class ProbeError extends Error {
  readonly detail: string;
  readonly rejectedFormat: string | undefined;

  constructor(detail: string, rejectedFormat?: string) {
    super(`ffprobe: ${detail}`);
    this.name = 'ProbeError';
    this.detail = detail;
    this.rejectedFormat = rejectedFormat;
  }
}

export interface ProbeOptions {
  /** Input options placed before the path (see untrusted-input.ts); default: just `-i path`. */
  inputArgs?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function probe(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const inputArgs = options.inputArgs ?? ['-i', input];
  const args = [
    '-v',
    'error',
    '-hide_banner',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    ...inputArgs,
  ];
  const { code, stdout, stderr } = await capture(
    'ffprobe',
    args,
    options.timeoutMs ?? 60_000,
    options.signal,
  );
  if (code !== 0) {
    const rejected = stderr.match(/\[(\S+) @ [^\]]+\] Format not on whitelist/)?.[1];
    const lastLine = stderr.trim().split('\n').at(-1) ?? '';
    // ffprobe prefixes its message with the path, which means nothing to the uploader.
    throw new ProbeError(lastLine.replace(`${input}: `, '') || `exited with code ${code}`, rejected);
  }
  const parsed = ProbeResult.safeParse(JSON.parse(stdout));
  if (!parsed.success)
    throw new ProbeError(`unexpected output (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

/** "30000/1001" → 29.97; ffprobe writes "0/0" when it does not know. */
export function parseFrameRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [num, den] = rate.split('/').map(Number);
  if (!num || !den || !Number.isFinite(num / den)) return undefined;
  return num / den;
}

export interface FfmpegProgress {
  /** Media time written so far, in seconds. */
  outTimeSec: number;
  frame: number;
  /** Encoder speed relative to realtime, when ffmpeg knows it. */
  speed: number | undefined;
  /** 0–100 when the caller gave the expected duration; 100 once ffmpeg says `progress=end`. */
  percent: number | undefined;
  done: boolean;
}

/** No progress for `stallTimeoutMs`: the process was killed. Retryable, since another attempt (or runner) may not hang. */
export class StallError extends JobFailure {
  constructor(stallTimeoutMs: number) {
    super(`ffmpeg made no progress for ${Math.round(stallTimeoutMs / 1000)} s and was killed`, true);
    this.name = 'StallError';
  }
}

export class FfmpegError extends JobFailure {
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(exitCode: number | null, stderrTail: string) {
    // The last lines carry the cause; the reason field has room for about 2000 characters.
    super(`ffmpeg exited with code ${exitCode}: ${stderrTail.slice(-1500) || '(no error output)'}`, true);
    this.name = 'FfmpegError';
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

export interface RunFfmpegOptions {
  /** Expected media duration, to turn out_time into a percentage. */
  durationSec?: number;
  onProgress?: (progress: FfmpegProgress) => void;
  /** Kill ffmpeg (SIGKILL) when neither out_time, frame nor size advanced for this long. */
  stallTimeoutMs?: number;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const STDERR_TAIL_CHARS = 4000;

/** Running encodes, killed if the runner itself dies: in their own process group they would outlive it. */
const liveEncodes = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveEncodes) child.kill('SIGKILL');
});

export function runFfmpeg(args: readonly string[], options: RunFfmpegOptions = {}): Promise<FfmpegProgress> {
  const { signal, stallTimeoutMs, onProgress, durationSec } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);

    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-nostats',
        '-progress',
        'pipe:1',
        '-stats_period',
        '0.5',
        ...args,
      ],
      // Own process group: a Ctrl-C in the terminal reaches the runner, which drains, not ffmpeg.
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    liveEncodes.add(child);

    let stderrTail = '';
    let stdoutBuffer = '';
    let block: Record<string, string> = {};
    let last: FfmpegProgress = {
      outTimeSec: 0,
      frame: 0,
      speed: undefined,
      percent: durationSec ? 0 : undefined,
      done: false,
    };
    let watermark = { outTimeUs: -1, frame: -1, size: -1 };
    let stalled = false;
    let stallTimer: ReturnType<typeof setTimeout> | undefined;

    const armStallTimer = () => {
      if (!stallTimeoutMs) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        child.kill('SIGKILL');
      }, stallTimeoutMs);
    };
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    armStallTimer();

    const onBlock = (fields: Record<string, string>) => {
      const outTimeUs = toNumber(fields.out_time_us) ?? 0;
      const frame = toNumber(fields.frame) ?? 0;
      const size = toNumber(fields.total_size) ?? 0;
      const done = fields.progress === 'end';
      // A block only proves liveness when something moved: ffmpeg keeps printing while blocked on input.
      if (done || outTimeUs > watermark.outTimeUs || frame > watermark.frame || size > watermark.size) {
        watermark = {
          outTimeUs: Math.max(outTimeUs, watermark.outTimeUs),
          frame: Math.max(frame, watermark.frame),
          size: Math.max(size, watermark.size),
        };
        armStallTimer();
      }
      const outTimeSec = Math.max(0, outTimeUs / 1e6);
      last = {
        outTimeSec,
        frame,
        speed: toNumber(fields.speed?.replace('x', '')),
        percent: done ? 100 : durationSec ? Math.min(99.9, (outTimeSec / durationSec) * 100) : undefined,
        done,
      };
      onProgress?.(last);
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdoutBuffer += chunk;
      let newline = stdoutBuffer.indexOf('\n');
      while (newline !== -1) {
        const line = stdoutBuffer.slice(0, newline).trim();
        stdoutBuffer = stdoutBuffer.slice(newline + 1);
        const eq = line.indexOf('=');
        if (eq > 0) {
          const key = line.slice(0, eq);
          block[key] = line.slice(eq + 1).trim();
          if (key === 'progress') {
            onBlock(block);
            block = {};
          }
        }
        newline = stdoutBuffer.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });

    const finish = () => {
      liveEncodes.delete(child);
      clearTimeout(stallTimer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      finish();
      reject(new FfmpegError(null, `could not start ffmpeg: ${err.message}`));
    });
    child.on('close', (code) => {
      finish();
      if (signal?.aborted) return reject(signal.reason);
      if (stalled && stallTimeoutMs) return reject(new StallError(stallTimeoutMs));
      if (code !== 0) return reject(new FfmpegError(code, stderrTail.trim()));
      resolve(last);
    });
  });
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === 'N/A' || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Runs a short-lived tool and buffers its output (probe JSON is small). */
function capture(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new JobFailure(`could not start ${command}: ${err.message}`, true));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (timedOut) return reject(new JobFailure(`${command} timed out after ${timeoutMs} ms`, true));
      resolve({ code, stdout, stderr });
    });
  });
}
