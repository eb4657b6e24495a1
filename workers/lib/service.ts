/**
 * The service kit: one way to declare a service Worker. A service names its contract (the public
 * routes the gateway serves), one handler per route, the events it consumes, its cron jobs and its
 * readiness checks; `defineService` turns that into the Worker's `WorkerEntrypoint` class, to which
 * the service adds its typed RPC methods (`jwks`, `masterStored`, `getEntitlement`, …).
 *
 *   export default class VideosService extends defineService<Env>()({ contract, handlers, … }) {
 *     async masterStored(…) { … }
 *   }
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import {
  consumer,
  type DeadLetter,
  type EventHandlers,
  listDeadLetters,
  pruneProcessedEvents,
  replayDeadLetters,
} from '../../queues/consume.ts';
import { sweepOutbox } from '../../queues/outbox.ts';
import { logicalQueue } from '../../queues/routing.ts';
import type { Caller, Contract, Handlers, Implementation, Reply, RouteInput } from './api.ts';
import { errorFields, log } from './log.ts';
import { Problem } from './problem.ts';
import { UPKEEP_CRON } from './schedules.ts';

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

export { UPKEEP_CRON };

export type CronJob<E> = (env: E, ctx: ExecutionContext, controller: ScheduledController) => Promise<unknown>;
export type QueueConsumer<E> = (batch: MessageBatch<unknown>, env: E, ctx: ExecutionContext) => Promise<void>;

export interface ServiceDefinition<E, C extends Contract> {
  contract: C;
  /** One handler per contract route, keyed by route id. */
  handlers: Handlers<E, C>;
  /** The service's D1 database: its outbox, processed event ids and dead letters live there. */
  db: (env: E) => D1Database;
  /** Whether the service publishes events (through its outbox, swept on UPKEEP_CRON). */
  publishes?: boolean;
  /** The domain events it consumes from its own queue (see queues/routing.ts). */
  events?: EventHandlers<E>;
  /** Other queues it consumes (e.g. R2 event notifications), tried in order by queue name. */
  queues?: { accepts: (queue: string) => boolean; consume: QueueConsumer<E> }[];
  /** Cron jobs by schedule; every schedule must be a trigger in the Worker's wrangler config. */
  crons?: Record<string, CronJob<E>>;
  /** Named readiness checks for /readyz. */
  ready: (env: E) => Record<string, () => Promise<unknown>>;
}

/** A defined service: its definition, readable by tests and tooling, and its Worker class. */
export interface ServiceClass<E, C extends Contract> {
  new (ctx: ExecutionContext, env: E): ServiceEntrypoint<E>;
  readonly definition: ServiceDefinition<E, C>;
}

/** The RPC face every service Worker shares; the gateway and tooling call these methods. */
export interface ServiceEntrypoint<E> extends WorkerEntrypoint<E> {
  handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply>;
  ready(): Promise<ReadyReport>;
  queue(batch: MessageBatch<unknown>): Promise<void>;
  scheduled(controller: ScheduledController): Promise<void>;
  listDeadLetters(queue: string): Promise<DeadLetter[]>;
  replayDeadLetters(queue: string): Promise<{ replayed: number; skipped: number }>;
}

export function problemReply(p: Problem): Reply {
  return { status: p.status, problem: p.toJSON() };
}

/** Days a processed event id is remembered: longer than any queue retry or replay window. */
const PROCESSED_RETENTION_MS = 14 * 24 * 3600 * 1000;

/**
 * Builds the service's Worker class from its definition. Called as `defineService<Env>()({…})` so
 * that the environment is named once and the contract's route ids are inferred.
 */
export function defineService<E>() {
  return <C extends Contract>(definition: ServiceDefinition<E, C>): ServiceClass<E, C> => {
    const byId = new Map<string, Implementation<E>>(
      Object.values<Implementation<E>>(definition.handlers as Record<string, Implementation<E>>).map((h) => [
        h.routeId,
        h,
      ]),
    );
    const events = definition.events
      ? consumer<E>({ service: definition.contract.service, db: definition.db, handlers: definition.events })
      : undefined;

    async function upkeep(env: E): Promise<void> {
      const db = definition.db(env);
      const resent = definition.publishes ? await sweepOutbox(env as object, drizzle(db)) : 0;
      const pruned = events ? await pruneProcessedEvents(db, Date.now() - PROCESSED_RETENTION_MS) : 0;
      if (resent || pruned) log('info', 'upkeep', { service: definition.contract.service, resent, pruned });
    }

    class Service extends WorkerEntrypoint<E> implements ServiceEntrypoint<E> {
      static readonly definition = definition;

      async handle(routeId: string, input: RouteInput, caller: Caller): Promise<Reply> {
        const handler = byId.get(routeId);
        if (!handler) return problemReply(Problem.notFound(`No handler for ${routeId}.`));
        try {
          return await handler.run(input, caller, this.env, this.ctx);
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
        return readiness(definition.ready(this.env));
      }

      override async queue(batch: MessageBatch<unknown>): Promise<void> {
        const other = definition.queues?.find((q) => q.accepts(batch.queue));
        if (other) return other.consume(batch, this.env, this.ctx);
        if (!events) throw new Error(`${definition.contract.service} consumes no queue ${batch.queue}`);
        return events(batch, this.env, this.ctx);
      }

      override async scheduled(controller: ScheduledController): Promise<void> {
        try {
          if (controller.cron === UPKEEP_CRON) await upkeep(this.env);
          const job = definition.crons?.[controller.cron];
          if (job) await job(this.env, this.ctx, controller);
        } catch (err) {
          log('error', 'scheduled work failed', {
            service: definition.contract.service,
            cron: controller.cron,
            ...errorFields(err),
          });
          throw err;
        }
      }

      private deadLetterStore(queue: string) {
        const where = logicalQueue(queue);
        if (!events || !where)
          throw new Problem('not_found', `This service keeps no dead letters for ${queue}.`);
        return { db: definition.db(this.env), queue: where.queue };
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
    return Service;
  };
}
