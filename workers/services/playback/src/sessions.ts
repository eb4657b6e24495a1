/** The per-account stream sessions (durable-objects/stream-sessions.ts) as playback uses them. */
import type { StreamSessions } from '../../../../durable-objects/stream-sessions.ts';
import type { Env } from './config.ts';

export function sessionsOf(env: Env, userId: string): DurableObjectStub<StreamSessions> {
  const ns = env.STREAM_SESSIONS as unknown as DurableObjectNamespace<StreamSessions>;
  return ns.get(ns.idFromName(userId));
}
