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

/** The message, plus what fetch hides in `cause`: "fetch failed (ECONNREFUSED)" rather than "fetch failed". */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof detail === 'string' && detail && !err.message.includes(detail)
    ? `${err.message} (${detail})`
    : err.message;
}
