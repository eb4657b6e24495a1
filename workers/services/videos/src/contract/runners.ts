/** The admin's side of the runner fleet: registration tokens, runners, draining and revoking. */
import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute, type RoutePolicy } from '../../../../lib/api.ts';
import { plainText } from '../../../../lib/text.ts';
import { body, json, problems } from './schemas.ts';

const tags = ['Runners'];
const policy: RoutePolicy = { access: 'admin', scopes: ['videos:admin'] };

const RunnerParam = z.object({
  runnerId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'runnerId', in: 'path' } }),
});

const TokenParam = z.object({
  tokenId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'tokenId', in: 'path' } }),
});

export const RunnerView = z
  .object({
    runnerId: z.string(),
    name: z.string(),
    registeredAt: z.string(),
    lastSeenAt: z.string().openapi({ description: "The runner's last call of any kind." }),
    drained: z.boolean(),
    drainedAt: z.string().nullable(),
    revoked: z.boolean(),
    revokedAt: z.string().nullable(),
    runningJobs: z.array(z.string()),
  })
  .openapi('Runner');

export const RegistrationTokenView = z
  .object({
    tokenId: z.string(),
    description: z.string().nullable(),
    maxUses: z.number().int(),
    uses: z.number().int(),
    state: z.enum(['active', 'spent', 'expired', 'revoked']),
    expiresAt: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('RunnerRegistrationToken');

export const RegistrationTokenCreate = z
  .object({
    description: plainText({ min: 1, max: 200 }).optional().openapi({ example: 'GPU pool, eu-west' }),
    /** How many runners may register with it. */
    maxUses: z.number().int().min(1).max(1000).default(1),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(24 * 3600),
  })
  .openapi('RunnerRegistrationTokenCreate');

export const createRunnerRegistrationToken = defineRoute({
  id: 'videos.createRunnerRegistrationToken',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'post',
    path: '/runners/registration-tokens',
    tags,
    summary: 'Create a registration token for runners (admin); the token is shown once.',
    request: body(RegistrationTokenCreate),
    responses: {
      201: json(
        RegistrationTokenView.extend({ registrationToken: z.string() }),
        'Created. Hand the token to the runner(s); it is not shown again.',
      ),
      ...problems,
    },
  }),
});

export const listRunnerRegistrationTokens = defineRoute({
  id: 'videos.listRunnerRegistrationTokens',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'get',
    path: '/runners/registration-tokens',
    tags,
    summary: 'Registration tokens, newest first, without the tokens themselves (admin).',
    responses: { 200: json(z.array(RegistrationTokenView), 'Registration tokens.'), ...problems },
  }),
});

export const revokeRunnerRegistrationToken = defineRoute({
  id: 'videos.revokeRunnerRegistrationToken',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'delete',
    path: '/runners/registration-tokens/{tokenId}',
    tags,
    summary: 'Revoke a registration token (admin); runners already registered with it keep working.',
    request: { params: TokenParam },
    responses: { 204: { description: 'Revoked.' }, ...problems },
  }),
});

export const listRunners = defineRoute({
  id: 'videos.runners',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'get',
    path: '/runners',
    tags,
    summary: 'Registered runners, most recently seen first, with the jobs they hold (admin).',
    responses: { 200: json(z.array(RunnerView), 'Runners.'), ...problems },
  }),
});

export const revokeRunner = defineRoute({
  id: 'videos.revokeRunner',
  service: 'videos',
  policy,
  route: createRoute({
    method: 'delete',
    path: '/runners/{runnerId}',
    tags,
    summary: 'Revoke a runner (admin): its token stops working and its jobs are reclaimed at once.',
    request: { params: RunnerParam },
    responses: { 200: json(RunnerView, 'Revoked.'), ...problems },
  }),
});

export const drainRunner = defineRoute({
  id: 'videos.runnerDrain',
  service: 'videos',
  policy,
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
  policy,
  route: createRoute({
    method: 'delete',
    path: '/runners/{runnerId}/drain',
    tags,
    summary: 'Let a drained runner claim jobs again (admin).',
    request: { params: RunnerParam },
    responses: { 200: json(RunnerView, 'Claiming again.'), ...problems },
  }),
});

export const runnerFleetRoutes = [
  createRunnerRegistrationToken,
  listRunnerRegistrationTokens,
  revokeRunnerRegistrationToken,
  listRunners,
  revokeRunner,
  drainRunner,
  undrainRunner,
] as const;
