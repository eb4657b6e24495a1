import { WorkerEntrypoint } from 'cloudflare:workers';
import { type DeadLetter, listDeadLetters, replayDeadLetters } from '../../queues/consume.ts';
import { logicalQueue } from '../../queues/routing.ts';
import type { Caller, HandlerTable, Reply, RouteInput } from './api.ts';
import { errorFields, log } from './log.ts';
import { Problem } from './problem.ts';

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

/** Runs named checks concurrently, each bounded by a timeout, and reports each outcome. */
export async function readiness(
  checks: Record<string, () => Promise<unknown>>,
  timeoutMs = 2000,
): Promise<ReadyReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = Date.now();
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs)),
        ]);
        return [name, { ok: true, ms: Date.now() - started }] as const;
      } catch (err) {
        return [name, { ok: false, error: (err as Error).message, ms: Date.now() - started }] as const;
      }
    }),
  );
  const report = Object.fromEntries(entries);
  return { ok: entries.every(([, r]) => r.ok), checks: report };
}

/**
 * The RPC face of a service Worker. The gateway calls `handle(routeId, input, caller)` for public
 * routes; typed domain methods (e.g. `getEntitlement`) are added by each service beside it.
 */
export abstract class ServiceEntrypoint<E> extends WorkerEntrypoint<E> {
  protected abstract readonly routes: HandlerTable<E>;
  protected abstract readyChecks(): Record<string, () => Promise<unknown>>;

  async handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply> {
    const handler = this.routes[routeId];
    if (!handler) return problemReply(Problem.notFound(`No handler for ${routeId}.`));
    try {
      return await handler(input as never, caller, this.env, this.ctx);
    } catch (err) {
      if (err instanceof Problem) return problemReply(err);
      log('error', 'handler failed', {
        routeId,
        requestId: caller.requestId,
        traceparent: caller.traceparent,
        ...errorFields(err),
      });
      return problemReply(new Problem('internal', 'The service failed to answer.'));
    }
  }

  async ready(): Promise<ReadyReport> {
    return readiness(this.readyChecks());
  }

  /** The database that keeps this service's processed event ids and dead letters, if it consumes events. */
  protected eventsDb(): D1Database | undefined {
    return undefined;
  }

  private deadLetterStore(queue: string) {
    const db = this.eventsDb();
    const where = logicalQueue(queue);
    if (!db || !where) throw new Problem('not_found', `This service keeps no dead letters for ${queue}.`);
    return { db, queue: where.queue };
  }

  async listDeadLetters(queue: string): Promise<DeadLetter[]> {
    const { db, queue: q } = this.deadLetterStore(queue);
    return listDeadLetters(db, q);
  }

  async replayDeadLetters(queue: string): Promise<{ replayed: number; skipped: number }> {
    const { db, queue: q } = this.deadLetterStore(queue);
    return replayDeadLetters(db, this.env as object, q);
  }
}

export function problemReply(p: Problem): Reply {
  return { status: p.status, problem: p.toJSON() };
}
