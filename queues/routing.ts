/**
 * Queues are point to point, so every consuming service has its own queue and dead-letter queue.
 * This table is the one place that says which queues receive which event.
 */
import type { ServiceName } from '../workers/lib/api.ts';
import type { EventType } from './events.ts';

export const QUEUES = {
  'videos-events': { consumer: 'videos' },
  'catalog-events': { consumer: 'catalog' },
  'profile-events': { consumer: 'profile' },
  'recs-events': { consumer: 'recs' },
  'analytics-events': { consumer: 'analytics' },
} as const satisfies Record<string, { consumer: ServiceName }>;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

const ALL: QueueName[] = ['analytics-events'];

export const EVENT_ROUTES: Record<EventType, QueueName[]> = {
  UserRegistered: [...ALL, 'profile-events'],
  UserLoggedIn: ALL,
  UserRoleChanged: ALL,
  PasswordResetRequested: ALL,
  WatchlistUpdated: ALL,
  HistoryUpdated: ALL,
  VideoRated: [...ALL, 'recs-events', 'catalog-events'],
  VideoWatched: [...ALL, 'recs-events', 'catalog-events'],
  VideoCreated: [...ALL, 'catalog-events'],
  VideoUpdated: [...ALL, 'catalog-events'],
  VideoUploaded: [...ALL, 'videos-events'],
  // The videos service consumes its own VideoDeleted to purge R2 objects with retries.
  VideoDeleted: [...ALL, 'videos-events', 'catalog-events', 'profile-events', 'recs-events'],
  VideoTranscoded: [...ALL, 'catalog-events', 'recs-events'],
  VideoTranscodeFailed: ALL,
  SubscriptionCreated: ALL,
  SubscriptionCanceled: ALL,
  PaymentSucceeded: ALL,
  PaymentFailed: ALL,
  PlaybackStarted: ALL,
  PlaybackEnded: ALL,
  PlaybackFailed: ALL,
};

/** The binding a Worker declares to produce onto a queue: `catalog-events` → `Q_CATALOG_EVENTS`. */
export function queueBinding(queue: string): string {
  return `Q_${queue.replaceAll('-', '_').toUpperCase()}`;
}

/** The logical queue a delivered batch came from, with any environment suffix removed. */
export function logicalQueue(name: string): { queue: QueueName; dead: boolean } | undefined {
  for (const q of QUEUE_NAMES) {
    if (name === q || name.startsWith(`${q}-`)) {
      const rest = name.slice(q.length);
      return { queue: q, dead: rest.endsWith('-dlq') };
    }
  }
  return undefined;
}
