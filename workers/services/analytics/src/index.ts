/** The analytics service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { acceptsEvents, consumeEvents, consumerTimings } from './consumer.ts';
import { contract } from './contract.ts';
import { replayAnalyticsDeadLetters } from './dead-letters.ts';
import { ingestHandler } from './routes/events.ts';
import { metricsHandler } from './routes/metrics.ts';

export type { Env } from './config.ts';

export default class AnalyticsService extends defineService<Env>()({
  contract,
  handlers: { 'analytics.ingest': ingestHandler, 'analytics.metrics': metricsHandler },
  db: (env) => env.DB,
  publishes: false,
  // The live queue has its own batch consumer; the kit keeps the dead letters of its DLQ.
  events: {},
  queues: [{ accepts: acceptsEvents, consume: (batch, env) => consumeEvents(batch, env) }],
  // ClickHouse is left out on purpose: while it is down events wait on the queue and only
  // GET /metrics answers 503, so it must not take the platform's readiness with it.
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM analytics_events LIMIT 1').first(),
  }),
}) {
  /** Client batches are re-driven too, not only domain envelopes. */
  override async replayDeadLetters(queue: string): Promise<{ replayed: number; skipped: number }> {
    if (queue !== 'analytics-events') return super.replayDeadLetters(queue);
    return replayAnalyticsDeadLetters(this.env);
  }

  /** The consumer's counters in this isolate (for the benchmark). */
  async consumerTimings() {
    return { ...consumerTimings };
  }
}
