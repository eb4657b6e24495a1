/** The per-account stream sessions (durable-objects/stream-sessions.ts) as playback uses them. */
import type { StreamSessions } from '../../../../durable-objects/stream-sessions.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Env } from './config.ts';

export function sessionsOf(env: Env, userId: string): DurableObjectStub<StreamSessions> {
  const ns = env.STREAM_SESSIONS as unknown as DurableObjectNamespace<StreamSessions>;
  return ns.get(ns.idFromName(userId));
}

/** The 429 of a stream beyond the plan's concurrent streams. */
export function streamLimitProblem(limit: number): Problem {
  return new Problem(
    'rate_limited',
    `Your plan allows ${limit} concurrent stream${limit === 1 ? '' : 's'}; all are in use.`,
    { extensions: { reason: 'max_streams', maxStreams: limit }, headers: { 'Retry-After': '120' } },
  );
}
