/** The events the profile service consumes from its queue (profile-events); see queues/routing.ts. */
import type { EventHandlers } from '../../../../queues/consume.ts';
import type { Env } from './config.ts';

export const profileEvents: EventHandlers<Env> = {};
