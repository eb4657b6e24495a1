/** The recs service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { recsEvents } from './consumer.ts';
import { contract } from './contract.ts';

export type { Env } from './config.ts';

export default class RecsService extends defineService<Env>()({
  contract,
  handlers: {},
  db: (env) => env.DB,
  publishes: false,
  events: recsEvents,
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM outbox LIMIT 1').first(),
  }),
}) {}
