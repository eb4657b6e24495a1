/**
 * The billing core's hand-over to outbound webhooks: `publish` in outbox.ts calls `notifyEndpoints`
 * with the events of a change once its D1 batch (with the outbox rows) has committed, in the same
 * waitUntil that sends them. It never throws: an event it could not hand to every subscribed
 * endpoint is picked up from the outbox by the upkeep sweep a minute later.
 */
import type { Envelope } from '../../../../queues/events.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import { fanOut } from './webhooks/fanout.ts';

export async function notifyEndpoints(env: Env, events: Envelope[]): Promise<void> {
  try {
    await fanOut(env, events);
  } catch (err) {
    log('warn', 'webhook fan-out failed; the upkeep sweep will retry', {
      events: events.map((e) => e.id),
      ...errorFields(err),
    });
  }
}
