import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { QUEUE_NAMES, QUEUES, type QueueName } from '../../../../queues/routing.ts';
import { type ApiRoute, defineRoute, isAdmin, SERVICES } from '../../../lib/api.ts';
import { problemResponses } from '../../../lib/openapi.ts';
import { Problem } from '../../../lib/problem.ts';
import { sameSecret } from '../../../lib/secret.ts';
import { readiness } from '../../../lib/service.ts';
import { settings } from '../config.ts';
import { type GatewayBindings, type ServiceStub, serviceBinding } from '../env.ts';
import type { RouteHandler } from './register.ts';

export const healthz = defineRoute({
  id: 'gateway.healthz',
  service: 'gateway',
  policy: { access: 'public', rateLimit: 'none' },
  route: createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['Operations'],
    summary: 'Liveness: the gateway is running.',
    responses: {
      200: {
        description: 'Alive.',
        content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
      },
    },
  }),
});

const CheckResult = z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() });
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z
    .record(z.string(), CheckResult)
    .optional()
    .openapi({ description: 'Each check and its outcome; only for admins and the metrics token.' }),
});
export const readyz = defineRoute({
  id: 'gateway.readyz',
  service: 'gateway',
  policy: { access: 'public', rateLimit: 'none' },
  route: createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Readiness: every binding and service the gateway depends on answers.',
    request: {
      headers: z.object({
        'x-metrics-token': z
          .string()
          .optional()
          .openapi({ description: "The deployment's metrics token: adds the per-check detail." }),
      }),
    },
    responses: {
      200: { description: 'Ready.', content: { 'application/json': { schema: Readiness } } },
      503: {
        description: 'Something the gateway depends on failed (admins and the metrics token see which).',
        content: { 'application/json': { schema: Readiness } },
      },
    },
  }),
});

/**
 * Whether the caller may see which dependency failed and why (error text can name hosts and
 * internals): an admin, or monitoring with the metrics token. A wrong metrics token is refused.
 */
async function seesReadinessDetail(c: Context<GatewayBindings>): Promise<boolean> {
  const given = c.req.header('x-metrics-token');
  if (given === undefined) return isAdmin(c.get('caller'));
  const expected = settings(c.env).METRICS_TOKEN;
  if (!expected || !(await sameSecret(given, expected)))
    throw Problem.unauthorized('The metrics token is invalid.');
  return true;
}

const QueueParam = z.object({
  queue: z.enum(QUEUE_NAMES as [QueueName, ...QueueName[]]).openapi({ example: 'catalog-events' }),
});

export const listDeadLetters = defineRoute({
  id: 'gateway.listDeadLetters',
  service: 'gateway',
  policy: { access: 'admin', scopes: ['ops'], ipGroup: 'internal' },
  route: createRoute({
    method: 'get',
    path: '/internal/dlq/{queue}',
    tags: ['Operations'],
    summary: 'Dead letters of a queue waiting for replay.',
    request: { params: QueueParam },
    responses: { 200: { description: 'Dead letters, oldest first.' }, ...problemResponses },
  }),
});

export const replayDeadLetters = defineRoute({
  id: 'gateway.replayDeadLetters',
  service: 'gateway',
  policy: { access: 'admin', scopes: ['ops'], ipGroup: 'internal' },
  route: createRoute({
    method: 'post',
    path: '/internal/dlq/{queue}/replay',
    tags: ['Operations'],
    summary: 'Re-drive the dead letters of a queue onto it.',
    request: { params: QueueParam },
    responses: {
      200: {
        description: 'How many letters went back onto the queue.',
        content: { 'application/json': { schema: z.object({ replayed: z.number(), skipped: z.number() }) } },
      },
      ...problemResponses,
    },
  }),
});

function consumerOf(env: GatewayEnv, queue: string): ServiceStub {
  const service = QUEUES[queue as QueueName].consumer;
  const stub = serviceBinding(env, service);
  if (!stub?.replayDeadLetters || !stub.listDeadLetters) {
    throw new Problem(
      'service_unavailable',
      `The ${service} service that consumes ${queue} is not deployed.`,
    );
  }
  return stub;
}

export function gatewayRoutes(): { route: ApiRoute; handler: RouteHandler }[] {
  return [
    { route: healthz, handler: async (c) => c.json({ status: 'ok' as const }) },
    {
      route: readyz,
      handler: async (c) => {
        const env = c.env;
        const checks: Record<string, () => Promise<unknown>> = {
          kv: () => env.CACHE.get('readyz'),
          rateLimiter: () => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName('readyz')).ping(),
        };
        for (const service of SERVICES) {
          const stub = serviceBinding(env, service);
          if (!stub) continue;
          checks[service] = async () => {
            const report = await stub.ready();
            if (!report.ok) {
              const failed = Object.entries(report.checks)
                .filter(([, r]) => !r.ok)
                .map(([name, r]) => `${name}: ${r.error}`);
              throw new Error(failed.join('; '));
            }
          };
        }
        const detail = await seesReadinessDetail(c);
        const report = await readiness(checks);
        const status = report.ok ? ('ready' as const) : ('not_ready' as const);
        return c.json(detail ? { status, checks: report.checks } : { status }, report.ok ? 200 : 503);
      },
    },
    {
      route: listDeadLetters,
      handler: async (c) => {
        const queue = c.req.param('queue')!;
        return c.json(await consumerOf(c.env, queue).listDeadLetters!(queue));
      },
    },
    {
      route: replayDeadLetters,
      handler: async (c) => {
        const queue = c.req.param('queue')!;
        return c.json(await consumerOf(c.env, queue).replayDeadLetters!(queue));
      },
    },
  ];
}
