import { newId } from '../workers/lib/ids.ts';
import { log } from '../workers/lib/log.ts';
import { childTraceparent, continueTrace } from '../workers/lib/trace.ts';
import { type Envelope, EVENT_DATA, type EventData, type EventType } from './events.ts';
import { EVENT_ROUTES, queueBinding } from './routing.ts';

export interface PublishContext {
  source: string;
  traceparent?: string | undefined;
}

/** Builds a validated envelope. Throws (a programming error) when data does not fit the schema. */
export function envelope<T extends EventType>(
  type: T,
  subject: string,
  data: EventData<T>,
  ctx: PublishContext,
): Envelope<T> {
  const parsed = EVENT_DATA[type].parse(data) as EventData<T>;
  return {
    id: newId('evt'),
    type,
    time: new Date().toISOString(),
    source: ctx.source,
    subject,
    traceparent: ctx.traceparent ? childTraceparent(ctx.traceparent) : continueTrace(null).traceparent,
    data: parsed,
  };
}

/**
 * Validates the event and sends it to every queue the routing table names. A queue missing from
 * the Worker's bindings is a configuration error and throws.
 */
export async function publish<T extends EventType>(
  env: object,
  type: T,
  subject: string,
  data: EventData<T>,
  ctx: PublishContext,
): Promise<Envelope<T>> {
  const event = envelope(type, subject, data, ctx);
  await sendEnvelope(env, event);
  return event;
}

export async function sendEnvelope(env: object, event: Envelope): Promise<void> {
  const bindings = env as Record<string, Queue | undefined>;
  await Promise.all(
    EVENT_ROUTES[event.type].map(async (queue) => {
      const q = bindings[queueBinding(queue)];
      if (!q)
        throw new Error(`${event.source} publishes ${event.type} but has no binding ${queueBinding(queue)}`);
      await q.send(event, { contentType: 'json' });
    }),
  );
  log('info', 'event published', {
    eventId: event.id,
    type: event.type,
    subject: event.subject,
    traceparent: event.traceparent,
  });
}
