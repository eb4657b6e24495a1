/**
 * What the analytics queue carries and what the stores keep. The queue carries the platform's
 * domain event envelopes (routed to analytics-events by queues/routing.ts) and the batches that
 * `POST /events` accepted; both become the same rows, with the numbers the metrics need pulled out.
 */
import type { AnyEnvelope } from '../../../../queues/events.ts';
import { isPlayerEvent } from './event-types.ts';

/** One stored event. */
export interface EventRow {
  eventId: string;
  eventType: string;
  userId: string;
  videoId: string;
  /** The player view it belongs to; empty for domain events. */
  viewId: string;
  timeMs: number;
  /** `client` for POST /events, else the publishing service. */
  source: string;
  /** viewEnd: the view's watch time. */
  watchMs: number;
  /** rebuffer.end: the stall's length. */
  rebufferMs: number;
  /** The event's metadata (domain events: their data), as JSON. */
  metadata: string;
  receivedMs: number;
}

/** A client event as queued: validated, with its id stamped. */
export interface QueuedEvent {
  eventId: string;
  userId: string;
  eventType: string;
  timestamp: string;
  metadata: Record<string, unknown>;
}

/** The queue message of accepted client events (many per message, up to the queue's size limit). */
export interface ClientBatch {
  type: typeof CLIENT_BATCH;
  receivedAt: number;
  events: QueuedEvent[];
}
export const CLIENT_BATCH = 'analytics.events';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const ms = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

export function clientRow(e: QueuedEvent, receivedMs: number): EventRow {
  const m = e.metadata;
  const player = isPlayerEvent(e.eventType);
  return {
    eventId: e.eventId,
    eventType: e.eventType,
    userId: e.userId,
    videoId: str(m.videoId),
    viewId: player ? str(m.viewId) : '',
    timeMs: Date.parse(e.timestamp),
    source: 'client',
    watchMs: e.eventType === 'viewEnd' ? ms(m.watchTimeMs) : 0,
    rebufferMs: e.eventType === 'rebuffer.end' ? ms(m.durationMs) : 0,
    metadata: JSON.stringify(m),
    receivedMs,
  };
}

/** Personal data analytics has no use for stays out of its store. */
const DROPPED = new Set(['email']);

export function domainRow(event: AnyEnvelope, receivedMs: number): EventRow {
  const data = event.data as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(data).filter(([k]) => !DROPPED.has(k)));
  return {
    eventId: event.id,
    eventType: event.type,
    userId: str(data.userId),
    videoId: str(data.videoId),
    viewId: '',
    timeMs: Date.parse(event.time),
    source: event.source,
    watchMs: 0,
    rebufferMs: 0,
    metadata: JSON.stringify(kept),
    receivedMs,
  };
}

/** Whether a message body is a client batch this service queued (checked by hand: it is hot). */
export function isClientBatch(body: unknown): body is ClientBatch {
  const b = body as ClientBatch;
  if (!b || b.type !== CLIENT_BATCH || !Array.isArray(b.events) || typeof b.receivedAt !== 'number')
    return false;
  for (const e of b.events) {
    if (
      !e ||
      typeof e.eventId !== 'string' ||
      typeof e.userId !== 'string' ||
      typeof e.eventType !== 'string' ||
      typeof e.timestamp !== 'string' ||
      Number.isNaN(Date.parse(e.timestamp)) ||
      typeof e.metadata !== 'object' ||
      e.metadata === null
    )
      return false;
  }
  return true;
}
