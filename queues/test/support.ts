import { env } from 'cloudflare:test';
import type { Envelope, EventType } from '../events.ts';
import { envelope } from '../publish.ts';

export function videoCreated(videoId = 'vid_1'): Envelope<'VideoCreated'> {
  return envelope(
    'VideoCreated',
    videoId,
    { videoId, title: 'T', description: 'D', tags: [], genres: [], status: 'pending' },
    { source: 'test' },
  );
}

let seq = 0;
/** A queue message as the runtime delivers it, recording what the consumer did with it. */
export function delivered(body: unknown, attempts = 1) {
  const outcome: { acked: boolean; retried?: { delaySeconds?: number } } = { acked: false };
  const message = {
    id: `msg-${++seq}`,
    timestamp: new Date(),
    body,
    attempts,
    ack: () => {
      outcome.acked = true;
    },
    retry: (o?: { delaySeconds?: number }) => {
      outcome.retried = o ?? {};
    },
  };
  return { message, outcome };
}

export function batch(queue: string, messages: ReturnType<typeof delivered>['message'][]) {
  return {
    queue,
    messages,
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: () => {
      for (const m of messages) m.retry();
    },
  } as unknown as MessageBatch<unknown>;
}

export const db = () => env.DB;
export type { EventType };
