import { implement, isAdmin, json } from '../../../../lib/api.ts';
import { errorFields, log } from '../../../../lib/log.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { ingestEvents } from '../contract/events.ts';
import { enqueue, pack, stampIds } from '../ingest.ts';
import type { QueuedEvent } from '../rows.ts';

export const ingestHandler = implement(ingestEvents, async (input, caller, env: Env) => {
  const events = input.body;
  // A viewer speaks for themself only; admins and events:write keys relay for anyone.
  if (!caller.apiKey && !isAdmin(caller)) {
    const foreign = events.flatMap((e, i) => (e.userId === caller.userId ? [] : [i]));
    if (foreign.length)
      throw new Problem('forbidden', `Events ${foreign.join(', ')} name another user; send only your own.`, {
        errors: foreign.map((i) => ({ path: `${i}.userId`, message: 'must be your own user id' })),
      });
  }
  const who = caller.apiKey ? `key:${caller.apiKey.id}` : `user:${caller.userId}`;
  const ids = await stampIds(events, who, input.headers['idempotency-key']);
  const queued: QueuedEvent[] = events.map((e, i) => ({
    eventId: ids[i]!,
    userId: e.userId,
    eventType: e.eventType,
    timestamp: e.timestamp,
    metadata: e.metadata,
  }));
  try {
    await enqueue(env.Q_ANALYTICS_EVENTS, pack(queued, Date.now()));
  } catch (err) {
    log('error', 'analytics queue refused a batch', { events: events.length, ...errorFields(err) });
    throw new Problem('service_unavailable', 'The events could not be queued; none was accepted. Retry.', {
      headers: { 'Retry-After': '1' },
    });
  }
  return json(202, { accepted: events.length, eventIds: ids });
});
