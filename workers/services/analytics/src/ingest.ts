/**
 * Accepting client events: ids stamped, the batch packed into as few queue messages as the queue's
 * limits allow (128 KB a message, 100 messages and 256 KB a send), sent, and only then answered.
 */
import { base64url } from '../../../lib/ids.ts';
import { type ClientEvent, utf8Length } from './contract/events.ts';
import { CLIENT_BATCH, type ClientBatch, type QueuedEvent } from './rows.ts';

/** Below Queues' 128 KB per message, with room for the envelope. */
export const MAX_MESSAGE_BYTES = 120_000;
/** Below Queues' 256 KB per sendBatch. */
export const MAX_SEND_BYTES = 240_000;
const MAX_SEND_MESSAGES = 100;

const encoder = new TextEncoder();

/**
 * Ids for events sent without one. With an Idempotency-Key they derive from it, the caller and the
 * event's place in the batch, so a retried request stamps the same ids and counts once.
 */
export async function stampIds(
  events: ClientEvent[],
  caller: string,
  idempotencyKey?: string,
): Promise<string[]> {
  if (!idempotencyKey)
    return events.map((e) => e.eventId ?? `evt_${crypto.randomUUID().replaceAll('-', '')}`);
  const seed = new Uint8Array(
    await crypto.subtle.digest('SHA-256', encoder.encode(`${caller}\n${idempotencyKey}`)),
  );
  const prefix = base64url(seed.slice(0, 15));
  return events.map((e, i) => e.eventId ?? `evt_${prefix}_${i}`);
}

/** Packs events into queue messages of at most MAX_MESSAGE_BYTES, in order. */
export function pack(events: QueuedEvent[], receivedAt: number): { body: ClientBatch; bytes: number }[] {
  const messages: { body: ClientBatch; bytes: number }[] = [];
  const overhead = 80;
  let current: QueuedEvent[] = [];
  let bytes = overhead;
  for (const e of events) {
    const size = utf8Length(JSON.stringify(e)) + 1;
    if (current.length && bytes + size > MAX_MESSAGE_BYTES) {
      messages.push({ body: { type: CLIENT_BATCH, receivedAt, events: current }, bytes });
      current = [];
      bytes = overhead;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length) messages.push({ body: { type: CLIENT_BATCH, receivedAt, events: current }, bytes });
  return messages;
}

/** Sends the messages in as few sendBatch calls as the limits allow; resolves once all are queued. */
export async function enqueue(queue: Queue, messages: { body: ClientBatch; bytes: number }[]): Promise<void> {
  const sends: Promise<unknown>[] = [];
  let group: MessageSendRequest[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (group.length && (bytes + m.bytes > MAX_SEND_BYTES || group.length === MAX_SEND_MESSAGES)) {
      sends.push(queue.sendBatch(group));
      group = [];
      bytes = 0;
    }
    group.push({ body: m.body, contentType: 'json' });
    bytes += m.bytes;
  }
  if (group.length) sends.push(queue.sendBatch(group));
  await Promise.all(sends);
}
