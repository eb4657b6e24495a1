/**
 * The catalog service: the search index (D1 + FTS5) fed by video events, search, related videos and
 * rebuilds from the videos service. The gateway calls `handle(routeId, input, caller)` for its
 * public routes; the queue delivers catalog-events to `queue()`; the minute cron carries a rebuild on.
 */
import { log } from '../../../lib/log.ts';
import { defineService, UPKEEP_CRON } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { catalogEvents } from './consumer.ts';
import { contract } from './contract.ts';
import { continueRebuild, type RebuildState, rebuildState, startRebuild } from './rebuild.ts';
import { rebuildStatusHandler, startRebuildHandler } from './routes/rebuild.ts';
import { relatedHandler } from './routes/related.ts';
import { searchHandler } from './routes/search.ts';

export type { Env } from './config.ts';

export default class CatalogService extends defineService<Env>()({
  contract,
  handlers: {
    'catalog.search': searchHandler,
    'catalog.related': relatedHandler,
    'catalog.rebuild': startRebuildHandler,
    'catalog.rebuildStatus': rebuildStatusHandler,
  },
  db: (env) => env.DB,
  publishes: false,
  events: catalogEvents,
  crons: {
    [UPKEEP_CRON]: async (env) => {
      const state = await rebuildState(env.DB);
      if (!state.running) return;
      const done = await continueRebuild(env, env.VIDEOS, 45_000);
      log('info', 'rebuild continued', { rebuildId: state.rebuildId, done });
    },
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM docs_fts WHERE docs_fts MATCH \'"readyz"\' LIMIT 1').first(),
  }),
}) {
  /** RPC for operators' tooling: start a rebuild and run it to the end (or until `budgetMs`). */
  async rebuild(budgetMs = 25_000): Promise<RebuildState> {
    await startRebuild(this.env.DB);
    await continueRebuild(this.env, this.env.VIDEOS, budgetMs);
    return rebuildState(this.env.DB);
  }
}
