/**
 * The runner side of the remote-runner protocol (workers/lib/runner-protocol.ts). Bodies are
 * validated with the protocol's own schemas in both directions, so a drift between runner and
 * service shows up as a clear error here rather than as a job stuck in the wrong state.
 */
import type { z } from 'zod';
import {
  AbortRequest,
  ClaimRequest,
  ClaimResponse,
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  type Job,
  type JobOperation,
  type JobOutputs,
  jobPath,
  RegisterRequest,
  RegisterResponse,
  RUNNER_PATHS,
} from '../../../workers/lib/runner-protocol.ts';
import { errorMessage, LeaseLostError } from './errors.ts';
import type { Logger } from './log.ts';
import { withRetry } from './retry.ts';

/** The service answered with an unexpected status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** No answer at all (DNS, refused, reset, timeout): worth backing off and trying again. */
export class ApiUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${url}: ${errorMessage(cause)}`, { cause });
    this.name = 'ApiUnreachableError';
  }
}

export type JobRef = Pick<Job, 'jobId' | 'leaseToken'>;
export type JobProgress = Omit<z.infer<typeof HeartbeatRequest>, 'leaseToken'>;

/** The protocol's operations, named as in runner-protocol.ts. */
export interface RunnerApi {
  /** One job, or undefined when the queue is empty (204). */
  claimJob(): Promise<Job | undefined>;
  /** Reports progress and extends the lease; throws LeaseLostError on 409. */
  heartbeatJob(
    job: JobRef,
    progress: JobProgress,
    signal?: AbortSignal,
  ): Promise<z.infer<typeof HeartbeatResponse>>;
  completeJob(job: JobRef, outputs: JobOutputs): Promise<void>;
  failJob(job: JobRef, reason: string, retryable: boolean): Promise<void>;
  /** Gives the job back untouched (shutdown): claimable again at once, no attempt spent. */
  abortJob(job: JobRef, reason: string): Promise<void>;
}

export interface RunnerApiOptions {
  apiUrl: string;
  /** The runner's own token: the service knows the runner by it alone. */
  token: string;
  log: Logger;
  timeoutMs?: number;
}

export interface Registration {
  apiUrl: string;
  registrationToken: string;
  name: string;
  log: Logger;
  timeoutMs?: number;
}

/**
 * Registers this runner and answers its id and runner token, which the caller keeps in memory. An
 * unreachable or failing API is retried (the runner may start before it); a refused registration
 * token is not.
 */
export async function registerRunner(options: Registration): Promise<z.infer<typeof RegisterResponse>> {
  const url = `${options.apiUrl.replace(/\/+$/, '')}${RUNNER_PATHS.register}`;
  const body = JSON.stringify(
    RegisterRequest.parse({ registrationToken: options.registrationToken, name: options.name }),
  );
  return withRetry(
    async () => {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (err) {
        throw new ApiUnreachableError(url, err);
      }
      if (response.status !== 201) {
        const text = (await response.text().catch(() => '')).slice(0, 300);
        throw new ApiError(response.status, `registration answered ${response.status}: ${text}`);
      }
      return RegisterResponse.parse(await response.json());
    },
    {
      attempts: 8,
      baseMs: 500,
      maxMs: 15_000,
      isRetryable: (err) =>
        err instanceof ApiUnreachableError || (err instanceof ApiError && err.status >= 500),
      onRetry: (err, attempt, delayMs) =>
        options.log.warn('registration failed; retrying', { error: err, attempt, delayMs }),
    },
  );
}

export function createRunnerApi(options: RunnerApiOptions): RunnerApi {
  const base = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;

  const post = async (path: string, body: unknown, signal?: AbortSignal): Promise<Response> => {
    const url = `${base}${path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new ApiUnreachableError(url, err);
    }
    return response;
  };

  const expectStatus = async (response: Response, job: JobRef | undefined, ok: number[]) => {
    if (ok.includes(response.status)) return;
    if (response.status === 409 && job) throw new LeaseLostError(job.jobId);
    const text = (await response.text().catch(() => '')).slice(0, 300);
    throw new ApiError(
      response.status,
      `${response.url || 'videos API'} answered ${response.status}: ${text}`,
    );
  };

  /** A finished job's last word must not be lost to a blip: retry network errors and 5xx, never a 409. */
  const finalCall = (operation: JobOperation, job: JobRef, body: unknown) =>
    withRetry(
      async () => {
        const response = await post(jobPath(operation, job.jobId), body);
        await expectStatus(response, job, [200, 204]);
        await response.body?.cancel(); // Nothing to read; frees the connection for reuse.
      },
      {
        attempts: 5,
        baseMs: 500,
        maxMs: 8_000,
        isRetryable: (err) =>
          err instanceof ApiUnreachableError || (err instanceof ApiError && err.status >= 500),
        onRetry: (err, attempt, delayMs) =>
          options.log.warn(`${operation} call failed; retrying`, {
            jobId: job.jobId,
            error: err,
            attempt,
            delayMs,
          }),
      },
    );

  const failJob = (job: JobRef, reason: string, retryable: boolean) => {
    const body = FailRequest.parse({
      leaseToken: job.leaseToken,
      reason: truncate(reason || 'unknown error', 2000),
      retryable,
    });
    return finalCall('fail', job, body);
  };

  return {
    async claimJob() {
      const response = await post(RUNNER_PATHS.claim, ClaimRequest.parse({ maxJobs: 1 }));
      if (response.status === 204) return undefined;
      await expectStatus(response, undefined, [200]);
      const json: unknown = await response.json();
      const parsed = ClaimResponse.safeParse(json);
      if (parsed.success) return parsed.data.job;
      // We hold a lease on a job we cannot run: fail it now rather than let it bounce between runners.
      const raw = (json as { job?: Partial<JobRef> } | null)?.job;
      const reason = `Invalid job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      if (typeof raw?.jobId === 'string' && typeof raw.leaseToken === 'string') {
        await failJob({ jobId: raw.jobId, leaseToken: raw.leaseToken }, reason, false).catch(() => {});
      }
      throw new ApiError(200, reason);
    },

    async heartbeatJob(job, progress, signal) {
      const response = await post(
        jobPath('heartbeat', job.jobId),
        HeartbeatRequest.parse({ ...progress, leaseToken: job.leaseToken }),
        signal,
      );
      await expectStatus(response, job, [200]);
      return HeartbeatResponse.parse(await response.json());
    },

    completeJob(job, outputs) {
      return finalCall('complete', job, CompleteRequest.parse({ ...outputs, leaseToken: job.leaseToken }));
    },

    failJob,

    abortJob(job, reason) {
      return finalCall(
        'abort',
        job,
        AbortRequest.parse({ leaseToken: job.leaseToken, reason: truncate(reason || 'aborted', 500) }),
      );
    },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
