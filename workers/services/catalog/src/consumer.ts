/** The events the catalog service consumes from its queue (catalog-events); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';

export const catalogEvents: EventHandlers<Env> = {};
