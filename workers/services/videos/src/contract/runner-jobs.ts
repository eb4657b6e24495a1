/** The runner protocol (workers/lib/runner-protocol.ts) as routes: what runners call. */
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
  RegisterRequest,
  RegisterResponse,
  RUNNER_PATHS,
} from '../../../../lib/runner-protocol.ts';
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

export const registerRunnerRoute = defineRoute({
  id: 'videos.runner.register',
  service: 'videos',
  // No runner token yet: the registration token in the body is the credential.
  policy: { access: 'public', rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.register,
    tags,
    summary: 'Register a runner with a registration token; answers its runner token, once.',
    request: body(RegisterRequest),
    responses: {
      201: json(RegisterResponse, 'Registered. Keep the runner token: it is not shown again.'),
      401: { description: 'The registration token is invalid, spent, expired or revoked.' },
      ...problems,
    },
  }),
});

export const claimJobRoute = defineRoute({
  id: 'videos.runner.claim',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: RUNNER_PATHS.claim,
    tags,
    summary: 'Claim the next transcode job with a lease (runner token).',
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
    request: { params: JobParam, ...body(AbortRequest) },
    responses: { 204: { description: 'Released.' }, ...leaseLost, ...problems },
  }),
});

export const runnerJobRoutes = [
  registerRunnerRoute,
  claimJobRoute,
  heartbeatJobRoute,
  completeJobRoute,
  failJobRoute,
  abortJobRoute,
];
