/** The runner protocol (workers/lib/runner-protocol.ts) as routes, and the admin view of the runner fleet. */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import {
  AbortRequest,
  ClaimRequest,
  ClaimResponse,
  CompleteRequest,
  FailRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  RUNNER_PATHS,
} from '../../../../lib/runner-protocol.ts';
import { adminSecurity, body, json, problems, runnerSecurity } from './schemas.ts';

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

export const claimJobRoute = defineRoute({
  id: 'videos.runner.claim',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.claim,
    tags,
    summary: 'Claim the next transcode job with a lease (runner token).',
    security: runnerSecurity,
    request: body(ClaimRequest),
    responses: { 200: json(ClaimResponse, 'A job.'), 204: { description: 'Nothing to do.' }, ...problems },
  }),
});

export const heartbeatJobRoute = defineRoute({
  id: 'videos.runner.heartbeat',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.heartbeat,
    tags,
    summary: 'Report progress; extends the lease.',
    security: runnerSecurity,
    request: { params: JobParam, ...body(HeartbeatRequest) },
    responses: { 200: json(HeartbeatResponse, 'The new lease expiry.'), ...leaseLost, ...problems },
  }),
});

export const completeJobRoute = defineRoute({
  id: 'videos.runner.complete',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.complete,
    tags,
    summary: 'Report the outputs; the video becomes ready.',
    security: runnerSecurity,
    request: { params: JobParam, ...body(CompleteRequest) },
    responses: { 204: { description: 'Recorded.' }, ...leaseLost, ...problems },
  }),
});

export const failJobRoute = defineRoute({
  id: 'videos.runner.fail',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.fail,
    tags,
    summary: 'Report a failure; retryable ones are retried with back-off up to the attempt limit.',
    security: runnerSecurity,
    request: { params: JobParam, ...body(FailRequest) },
    responses: { 204: { description: 'Recorded.' }, ...leaseLost, ...problems },
  }),
});

export const abortJobRoute = defineRoute({
  id: 'videos.runner.abort',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.abort,
    tags,
    summary: 'Give the job back untouched; it is claimable again at once.',
    security: runnerSecurity,
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
    security: adminSecurity,
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
    security: adminSecurity,
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
    security: adminSecurity,
    request: { params: RunnerParam },
    responses: { 200: json(RunnerView, 'Claiming again.'), ...problems },
  }),
});

export const runnerRoutes = [
  claimJobRoute,
  heartbeatJobRoute,
  completeJobRoute,
  failJobRoute,
  abortJobRoute,
  listRunners,
  drainRunner,
  undrainRunner,
];
