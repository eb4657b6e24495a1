/**
 * Keeps a claimed job's lease alive. Every heartbeat both reports progress and extends the lease, so
 * one is sent at least every heartbeatSeconds/2 even when nothing moved (a long download, a slow
 * first segment), and progress changes are throttled so a fast encode does not flood the API.
 */
import type { JobProgress, JobRef, RunnerApi } from './api.ts';
import { LeaseLostError } from './errors.ts';
import type { Logger } from './log.ts';

export interface LeaseKeeper {
  report(update: JobProgress): void;
  /** Stops heartbeats and waits for the one in flight, if any. */
  stop(): Promise<void>;
}

export interface KeepLeaseOptions {
  heartbeatSeconds: number;
  /** Called once, on the 409 that says another runner may own the job now. */
  onLost: (err: LeaseLostError) => void;
  log: Logger;
  /** Progress changes closer together than this wait for the next send. */
  minIntervalMs?: number;
}

export function keepLease(job: JobRef, api: RunnerApi, options: KeepLeaseOptions): LeaseKeeper {
  const heartbeatMs = Math.max(250, (options.heartbeatSeconds * 1000) / 2);
  const minIntervalMs = Math.min(options.minIntervalMs ?? 2_000, heartbeatMs);
  let latest: JobProgress = { progress: 0 };
  let lastSentAt = 0;
  let inFlight: Promise<void> | undefined;
  let sendAgain = false;
  let stopped = false;

  const send = (): void => {
    if (stopped) return;
    if (inFlight) {
      sendAgain = true;
      return;
    }
    lastSentAt = Date.now();
    inFlight = api
      .heartbeatJob(job, latest)
      .then(
        () => {},
        (err: unknown) => {
          if (err instanceof LeaseLostError) {
            halt();
            options.onLost(err);
          } else if (!stopped) {
            // Not fatal: the lease outlives a few missed heartbeats, and a later one may get through.
            options.log.warn('heartbeat failed', { error: err });
          }
        },
      )
      .finally(() => {
        inFlight = undefined;
        if (sendAgain && !stopped) {
          sendAgain = false;
          send();
        }
      });
  };

  const timer = setInterval(send, heartbeatMs);
  const halt = () => {
    stopped = true;
    clearInterval(timer);
  };
  send();

  return {
    report(update) {
      const stageChanged = update.stage !== latest.stage;
      // Overall progress never goes backwards, whatever the stage-local figures do.
      latest = { ...update, progress: Math.max(latest.progress, Math.round(update.progress * 10) / 10) };
      if (stageChanged || Date.now() - lastSentAt >= minIntervalMs) send();
    },
    async stop() {
      // Waits rather than cancels: a heartbeat must never reach the service after complete or fail.
      halt();
      await inFlight;
    },
  };
}
