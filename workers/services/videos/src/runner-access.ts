/**
 * Who may call a runner route: a registered, unrevoked runner, known by its runner token alone.
 * Every runner route is implemented through `implementRunnerRoute`, so the check lives here and
 * nowhere else; a handler receives the runner it is talking to and never reads an identity from
 * the body.
 */
import type { RouteConfig } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import {
  type ApiRoute,
  type Caller,
  type InputOf,
  implement,
  type ReplyOf,
  type RouteInput,
  type WorkContext,
} from '../../../lib/api.ts';
import { sha256Hex } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Env } from './config.ts';
import { database } from './db/client.ts';
import { runners } from './db/schema.ts';

export type RunnerRow = typeof runners.$inferSelect;

/**
 * The runner whose token the request bears, its last-seen time recorded on the way. A user's
 * access token, a revoked runner's token and a made-up one all fail alike: none is a runner token.
 */
export async function requireRunner(
  env: Env,
  headers: RouteInput['headers'],
  now = new Date(),
): Promise<RunnerRow> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!m)
    throw Problem.unauthorized(
      'Runner routes need "Authorization: Bearer <runner token>".',
      'invalid_request',
    );
  // The token is 256 random bits: looking up its SHA-256 leaks nothing a timing attack could use.
  const [runner] = await database(env.DB)
    .update(runners)
    .set({ lastSeenAt: now })
    .where(and(eq(runners.tokenHash, await sha256Hex(m[1]!)), isNull(runners.revokedAt)))
    .returning();
  if (!runner) throw Problem.unauthorized('The runner token is invalid or revoked.');
  return runner;
}

export type RunnerHandler<R extends RouteConfig> = (
  input: InputOf<R>,
  runner: RunnerRow,
  caller: Caller,
  env: Env,
  ctx: WorkContext,
) => Promise<ReplyOf<R>>;

/** `implement` for runner routes: the handler runs only for a runner, and is told which one. */
export function implementRunnerRoute<const Id extends string, R extends RouteConfig>(
  route: ApiRoute<R, Id>,
  fn: RunnerHandler<R>,
) {
  if (route.policy.access !== 'runner') throw new Error(`${route.id} is not a runner route`);
  return implement(route, async (input, caller, env: Env, ctx) =>
    fn(input, await requireRunner(env, input.headers), caller, env, ctx),
  );
}
