/**
 * The long-running loop: claim jobs while there are free slots, poll when idle (the wait doubling
 * after each empty claim, from POLL_INTERVAL_MS up to POLL_MAX_INTERVAL_MS, and back to the start
 * once there is work), back off while the videos API is unreachable (a runner outliving an API
 * outage is normal), and on shutdown stop claiming, let running jobs finish within a grace period,
 * then release whatever is left. It logs when it turns idle and when work comes, not every poll.
 */
import type { Job } from '../../../workers/lib/runner-protocol.ts';
import { ApiError, type RunnerApi } from './api.ts';
import type { RunnerConfig } from './config.ts';
import { ShutdownAbort } from './errors.ts';
import { type JobOutcome, processJob } from './job.ts';
import type { Logger } from './log.ts';
import { backoffMs } from './retry.ts';

const MAX_POLL_BACKOFF_MS = 60_000;

export interface RunnerStatus {
  state: 'running' | 'draining' | 'stopped';
  runnerName: string;
  /** Known when this process registered itself; a runner given RUNNER_TOKEN is known by the service alone. */
  runnerId: string | undefined;
  activeJobs: { jobId: string; videoId: string }[];
  /** Whether the last claim reached the API; false while backing off. */
  apiReachable: boolean;
  lastPollAt: string | undefined;
  outcomes: Record<JobOutcome, number>;
}

interface ActiveJob {
  job: Job;
  controller: AbortController;
  done: Promise<JobOutcome>;
}

export interface RunnerDeps {
  config: RunnerConfig;
  api: RunnerApi;
  log: Logger;
  runnerId?: string | undefined;
}

export class Runner {
  readonly #config: RunnerConfig;
  readonly #api: RunnerApi;
  readonly #log: Logger;
  readonly #runnerId: string | undefined;
  readonly #active = new Map<string, ActiveJob>();
  readonly #outcomes: Record<JobOutcome, number> = { succeeded: 0, failed: 0, released: 0, 'lease-lost': 0 };
  #state: RunnerStatus['state'] = 'running';
  #loop: Promise<void> | undefined;
  #wake: () => void = () => {};
  #apiReachable = true;
  #lastPollAt: Date | undefined;
  /** Since when nothing has been running and claims found nothing; undefined while working. */
  #idleSince: Date | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(deps: RunnerDeps) {
    this.#config = deps.config;
    this.#api = deps.api;
    this.#log = deps.log;
    this.#runnerId = deps.runnerId;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  status(): RunnerStatus {
    return {
      state: this.#state,
      runnerName: this.#config.runnerName,
      runnerId: this.#runnerId,
      activeJobs: [...this.#active.values()].map(({ job }) => ({ jobId: job.jobId, videoId: job.videoId })),
      apiReachable: this.#apiReachable,
      lastPollAt: this.#lastPollAt?.toISOString(),
      outcomes: { ...this.#outcomes },
    };
  }

  /** Resolves once every job has finished or been released; safe to call twice. */
  shutdown(graceMs: number): Promise<void> {
    this.#shutdown ??= this.#drain(graceMs);
    return this.#shutdown;
  }

  async #run(): Promise<void> {
    let failures = 0;
    /** Claims in a row that found nothing: the idle wait doubles with each. */
    let emptyClaims = 0;
    while (this.#state === 'running') {
      let delayMs: number;
      try {
        while (this.#state === 'running' && this.#active.size < this.#config.concurrency) {
          const job = await this.#api.claimJob();
          this.#lastPollAt = new Date();
          this.#apiReachable = true;
          if (!job) {
            emptyClaims++;
            this.#noteIdle();
            break;
          }
          emptyClaims = 0;
          if (this.#state !== 'running') {
            // Claimed while shutdown began: hand it straight back instead of starting work we cannot finish.
            await this.#api.abortJob(job, 'runner shutting down').catch(() => {});
            break;
          }
          this.#noteWorking();
          this.#startJob(job);
        }
        failures = 0;
        delayMs = idleDelayMs(emptyClaims, this.#config.pollIntervalMs, this.#config.pollMaxIntervalMs);
      } catch (err) {
        failures++;
        this.#apiReachable = false;
        delayMs = backoffMs(failures, this.#config.pollIntervalMs, MAX_POLL_BACKOFF_MS);
        // A refused token (the runner was revoked) will not fix itself: say so loudly, keep backing off.
        const refused = err instanceof ApiError && (err.status === 401 || err.status === 403);
        const log = refused ? this.#log.error : this.#log.warn;
        log(refused ? 'runner token refused; backing off' : 'cannot claim jobs; backing off', {
          error: err,
          failures,
          retryInMs: delayMs,
        });
      }
      if (this.#state === 'running') await this.#pause(delayMs);
    }
  }

  #noteIdle(): void {
    if (this.#idleSince || this.#active.size > 0) return;
    this.#idleSince = new Date();
    this.#log.info('idle; polling for jobs with back-off', {
      fromMs: this.#config.pollIntervalMs,
      upToMs: this.#config.pollMaxIntervalMs,
    });
  }

  #noteWorking(): void {
    if (!this.#idleSince) return;
    this.#log.info('working', { idleMs: Date.now() - this.#idleSince.getTime() });
    this.#idleSince = undefined;
  }

  #startJob(job: Job): void {
    const log = this.#log.child({ jobId: job.jobId, videoId: job.videoId, attempt: job.attempt });
    log.info('job claimed', { leaseExpiresAt: job.leaseExpiresAt });
    const controller = new AbortController();
    const done = processJob(job, {
      api: this.#api,
      log,
      settings: this.#config,
      signal: controller.signal,
    })
      .catch((err: unknown): JobOutcome => {
        log.error('job crashed', { error: err });
        return 'failed';
      })
      .then((outcome) => {
        this.#outcomes[outcome]++;
        this.#active.delete(job.jobId);
        this.#wake(); // A slot is free: claim the next job now rather than after the poll interval.
        return outcome;
      });
    this.#active.set(job.jobId, { job, controller, done });
  }

  /** Sleeps up to `ms`; a finished job or a shutdown cuts it short. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #drain(graceMs: number): Promise<void> {
    this.#state = 'draining';
    this.#wake();
    const running = () => [...this.#active.values()];
    if (running().length > 0) {
      this.#log.info('shutting down; waiting for running jobs', { jobs: running().length, graceMs });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(running().map((a) => a.done)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const left = running();
    if (left.length > 0) {
      this.#log.warn('grace period over; releasing jobs', { jobs: left.map((a) => a.job.jobId) });
      for (const active of left) active.controller.abort(new ShutdownAbort());
      await Promise.all(left.map((a) => a.done));
    }
    await this.#loop;
    this.#state = 'stopped';
  }
}

/**
 * The wait before the next claim: the base while slots are busy or work just came, then doubling
 * with each empty claim up to the ceiling.
 */
export function idleDelayMs(emptyClaims: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, emptyClaims - 1));
}
