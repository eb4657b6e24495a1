/**
 * One claimed job from lease to last word: download → probe/transcode → upload → success, with the
 * lease kept alive throughout. Every way out ends in exactly one of: success, error (retryable or
 * not), abort (released on shutdown), or silence (lease lost: the job is someone else's now).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job } from '../../../workers/lib/runner-protocol.ts';
import type { RunnerApi } from './api.ts';
import type { RunnerConfig } from './config.ts';
import { downloadMaster } from './download.ts';
import { errorMessage, JobFailure, LeaseLostError, ShutdownAbort } from './errors.ts';
import { formatBytes } from './format.ts';
import { keepLease } from './lease.ts';
import type { Logger } from './log.ts';
import { OUTPUT_NAMES, type TranscodeProgress, transcodeLadder } from './transcode.ts';
import { uploadOutputs } from './upload.ts';

export type JobOutcome = 'succeeded' | 'failed' | 'released' | 'lease-lost';

export type JobSettings = Pick<
  RunnerConfig,
  'workDir' | 'x264Preset' | 'stallTimeoutMs' | 'uploadConcurrency' | 'ladderOverride'
>;

export interface JobContext {
  api: RunnerApi;
  log: Logger;
  settings: JobSettings;
  /** Aborted by the runner (reason ShutdownAbort) when the shutdown grace period is over. */
  signal: AbortSignal;
}

/** How much of the overall progress each stage covers; encoding dominates the wall time. */
const SPAN = { download: [0, 5], transcoding: [5, 90], upload: [90, 100] } as const;
const within = ([from, to]: readonly [number, number], percent: number) =>
  from + ((to - from) * percent) / 100;

export async function processJob(job: Job, ctx: JobContext): Promise<JobOutcome> {
  const { api, log, settings } = ctx;
  const startedAt = Date.now();
  const workDir = join(settings.workDir, `${job.jobId}-${job.attempt}`);
  const controller = new AbortController();
  const forwardShutdown = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', forwardShutdown, { once: true });
  const signal = controller.signal;
  const lease = keepLease(job, api, {
    heartbeatSeconds: job.heartbeatSeconds,
    log,
    // Stop spending CPU on work nobody will accept: kill ffmpeg, cancel transfers.
    onLost: (err) => controller.abort(err),
  });

  try {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await mkdir(workDir, { recursive: true });
    if (job.input.size > job.limits.maxInputBytes) {
      throw new JobFailure(
        `The upload is ${formatBytes(job.input.size)}; the limit is ${formatBytes(job.limits.maxInputBytes)}`,
        false,
      );
    }

    log.info('downloading master', { bytes: job.input.size });
    const masterPath = join(workDir, 'master');
    const inputBytes = await downloadMaster(job.input.url, masterPath, {
      expectedBytes: job.input.size,
      maxBytes: job.limits.maxInputBytes,
      log,
      signal,
      onProgress: (bytes) => {
        if (job.input.size > 0)
          lease.report({
            progress: within(SPAN.download, (bytes / job.input.size) * 100),
            stage: 'downloading',
          });
      },
    });

    const ladder = settings.ladderOverride ?? job.ladder;
    log.info('transcoding', {
      inputBytes,
      rungs: ladder.map((r) => r.name),
      encrypted: job.encryption !== undefined,
    });
    const outDir = join(workDir, 'out');
    const result = await transcodeLadder({
      input: masterPath,
      outDir,
      scratchDir: join(workDir, 'scratch'),
      ladder,
      segmentSeconds: job.segmentSeconds,
      limits: job.limits,
      inputBytes,
      x264Preset: settings.x264Preset,
      stallTimeoutMs: settings.stallTimeoutMs,
      encryption: job.encryption,
      signal,
      onProgress: (p: TranscodeProgress) => {
        const progress =
          p.stage === 'probing'
            ? SPAN.transcoding[0]
            : p.stage === 'transcoding'
              ? within(SPAN.transcoding, p.percent)
              : SPAN.transcoding[1];
        lease.report({ progress, stage: p.stage, speed: p.speed });
      },
    });

    log.info('uploading outputs', { renditions: result.renditions.map((r) => r.name) });
    lease.report({ progress: SPAN.upload[0], stage: 'uploading' });
    const uploaded = await uploadOutputs(outDir, job.output.urlPrefix, {
      concurrency: settings.uploadConcurrency,
      maxFileBytes: job.output.maxFileBytes,
      log,
      signal,
      lastFile: OUTPUT_NAMES.master,
      onProgress: (done, total) =>
        lease.report({ progress: within(SPAN.upload, (done / total) * 100), stage: 'uploading' }),
    });

    await lease.stop();
    if (signal.aborted) throw signal.reason;
    const elapsedMs = Date.now() - startedAt;
    try {
      await api.completeJob(job, { ...result, elapsedMs });
    } catch (err) {
      if (err instanceof LeaseLostError) return await reportFailure(job, ctx, err);
      // Reporting an error now would throw away good work; the lease expires and the job is redone.
      log.error('could not report success', { error: err });
      return 'failed';
    }
    log.info('job succeeded', {
      elapsedMs,
      files: uploaded.files,
      bytes: uploaded.bytes,
      durationSec: result.durationSec,
    });
    return 'succeeded';
  } catch (err) {
    await lease.stop();
    return await reportFailure(job, ctx, signal.aborted ? signal.reason : err);
  } finally {
    ctx.signal.removeEventListener('abort', forwardShutdown);
    await rm(workDir, { recursive: true, force: true }).catch((err: unknown) =>
      log.warn('could not clean work dir', { error: err }),
    );
  }
}

async function reportFailure(job: Job, ctx: JobContext, err: unknown): Promise<JobOutcome> {
  const { api, log } = ctx;
  try {
    if (err instanceof LeaseLostError) {
      log.warn('lease lost; dropping job');
      return 'lease-lost';
    }
    if (err instanceof ShutdownAbort) {
      await api.abortJob(job, 'runner shutting down');
      log.info('job released on shutdown');
      return 'released';
    }
    const failure =
      err instanceof JobFailure ? err : new JobFailure(`Internal runner error: ${errorMessage(err)}`, true);
    log.warn('job failed', { reason: failure.message, retryable: failure.retryable });
    await api.failJob(job, failure.message, failure.retryable);
    return 'failed';
  } catch (reportErr) {
    if (reportErr instanceof LeaseLostError) {
      log.warn('lease lost before the job could be reported');
      return 'lease-lost';
    }
    // The lease will expire and the service will hand the job out again: nothing is lost but time.
    log.error('could not report the job outcome', { error: reportErr });
    return err instanceof ShutdownAbort ? 'released' : 'failed';
  }
}
