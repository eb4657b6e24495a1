/**
 * Why a job ended without success. The videos service decides from `retryable` whether another
 * attempt (maybe on another runner) can succeed, so every failure a runner reports carries it.
 */
export class JobFailure extends Error {
  readonly retryable: boolean;

  constructor(reason: string, retryable: boolean, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'JobFailure';
    this.retryable = retryable;
  }
}

/** The videos service answered 409: another runner may own the job now, so this one must drop it silently. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease lost on job ${jobId}`);
    this.name = 'LeaseLostError';
  }
}

/** The runner is shutting down and its grace period ran out: the job is released, not failed. */
export class ShutdownAbort extends Error {
  constructor() {
    super('runner shutting down');
    this.name = 'ShutdownAbort';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
