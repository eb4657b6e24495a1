/** The runner protocol of runner-contract.ts as routes, and the admin view of the runner fleet. */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import {
  AbortRequest,
  ClaimRequest,
  ClaimResponse,
  ErrorRequest,
  SuccessRequest,
  UpdateRequest,
  UpdateResponse,
} from '../runner-contract.ts';
import { body, json, problems } from './schemas.ts';

const tags = ['Runners'];
const policy: RoutePolicy = { access: 'runner', rateLimit: 'ingest', bodyLimit: 256 * 1024 };
const JobParam = z.object({
  jobId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'jobId', in: 'path' } }),
});
const leaseLost = {
  409: { description: 'The lease is not held (expired, reclaimed or ended): drop the job.' },
};

export const claimJob = defineRoute({
  id: 'videos.runnerRequest',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/jobs/request',
    tags,
    summary: 'Claim the next transcode job with a lease (runner token).',
    request: body(ClaimRequest),
    responses: { 200: json(ClaimResponse, 'A job.'), 204: { description: 'Nothing to do.' }, ...problems },
  }),
});

export const updateJob = defineRoute({
  id: 'videos.runnerUpdate',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/jobs/{jobId}/update',
    tags,
    summary: 'Report progress; extends the lease.',
    request: { params: JobParam, ...body(UpdateRequest) },
    responses: { 200: json(UpdateResponse, 'The new lease expiry.'), ...leaseLost, ...problems },
  }),
});

export const jobSucceeded = defineRoute({
  id: 'videos.runnerSuccess',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/jobs/{jobId}/success',
    tags,
    summary: 'Report the outputs; the video becomes ready.',
    request: { params: JobParam, ...body(SuccessRequest) },
    responses: { 204: { description: 'Recorded.' }, ...leaseLost, ...problems },
  }),
});

export const jobFailed = defineRoute({
  id: 'videos.runnerError',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/jobs/{jobId}/error',
    tags,
    summary: 'Report a failure; retryable ones are retried with back-off up to the attempt limit.',
    request: { params: JobParam, ...body(ErrorRequest) },
    responses: { 204: { description: 'Recorded.' }, ...leaseLost, ...problems },
  }),
});

export const jobAborted = defineRoute({
  id: 'videos.runnerAbort',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/jobs/{jobId}/abort',
    tags,
    summary: 'Give the job back untouched; it is claimable again at once.',
    request: { params: JobParam, ...body(AbortRequest) },
    responses: { 204: { description: 'Released.' }, ...leaseLost, ...problems },
  }),
});

const RunnerParam = z.object({
  runnerId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'runnerId', in: 'path' } }),
});

export const RunnerView = z
  .object({
    runnerId: z.string(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    drained: z.boolean(),
    drainedAt: z.string().nullable(),
    runningJobs: z.array(z.string()),
  })
  .openapi('Runner');

export const listRunners = defineRoute({
  id: 'videos.runners',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/runners',
    tags,
    summary: 'Runners seen polling, most recent first, with the jobs they hold (admin).',
    responses: { 200: json(z.array(RunnerView), 'Runners.'), ...problems },
  }),
});

export const drainRunner = defineRoute({
  id: 'videos.runnerDrain',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'put',
    path: '/runners/{runnerId}/drain',
    tags,
    summary: 'Drain a runner: it finishes what it holds but claims nothing new (admin).',
    request: { params: RunnerParam },
    responses: { 200: json(RunnerView, 'Drained.'), ...problems },
  }),
});

export const undrainRunner = defineRoute({
  id: 'videos.runnerUndrain',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'delete',
    path: '/runners/{runnerId}/drain',
    tags,
    summary: 'Let a drained runner claim jobs again (admin).',
    request: { params: RunnerParam },
    responses: { 200: json(RunnerView, 'Claiming again.'), ...problems },
  }),
});

export const runnerRoutes = [
  claimJob,
  updateJob,
  jobSucceeded,
  jobFailed,
  jobAborted,
  listRunners,
  drainRunner,
  undrainRunner,
] as const;
