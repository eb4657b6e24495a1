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
  'billing-events': { consumer: 'billing' },
} as const satisfies Record<string, { consumer: ServiceName }>;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

const ALL: QueueName[] = ['analytics-events'];

export const EVENT_ROUTES: Record<EventType, QueueName[]> = {
  UserRegistered: [...ALL, 'profile-events'],
  UserLoggedIn: ALL,
  UserRoleChanged: ALL,
  UserDeleted: [...ALL, 'profile-events', 'recs-events'],
  PasswordResetRequested: ALL,
  WatchlistUpdated: [...ALL, 'recs-events'],
  HistoryUpdated: [...ALL, 'recs-events'],
  VideoRated: [...ALL, 'recs-events', 'catalog-events'],
  VideoWatched: [...ALL, 'recs-events', 'catalog-events'],
  VideoCreated: [...ALL, 'catalog-events', 'profile-events', 'recs-events'],
  VideoUpdated: [...ALL, 'catalog-events', 'profile-events', 'recs-events'],
  VideoUploaded: [...ALL, 'videos-events'],
  // The videos service consumes its own VideoDeleted to purge R2 objects with retries.
  VideoDeleted: [...ALL, 'videos-events', 'catalog-events', 'profile-events', 'recs-events'],
  VideoTranscoded: [...ALL, 'catalog-events', 'profile-events', 'recs-events'],
  VideoTranscodeFailed: ALL,
  SubscriptionCreated: ALL,
  SubscriptionCanceled: ALL,
  SubscriptionUpdated: ALL,
  TrialWillEnd: ALL,
  PaymentSucceeded: ALL,
  PaymentFailed: ALL,
  // Internal work of the billing service (incoming payment webhooks), not a domain event.
  BillingWebhookReceived: ['billing-events'],
  PlaybackStarted: [...ALL, 'recs-events'],
  PlaybackEnded: ALL,
  PlaybackHeartbeat: ALL,
  PlaybackFailed: ALL,
};

/** The service that emits each event; its Worker declares a producer binding for each queue the event goes to. */
export const EVENT_SOURCES: Record<EventType, ServiceName> = {
  UserRegistered: 'auth',
  UserLoggedIn: 'auth',
  UserRoleChanged: 'auth',
  UserDeleted: 'auth',
  PasswordResetRequested: 'auth',
  WatchlistUpdated: 'profile',
  HistoryUpdated: 'profile',
  VideoRated: 'profile',
  VideoWatched: 'profile',
  VideoCreated: 'videos',
  VideoUpdated: 'videos',
  VideoUploaded: 'videos',
  VideoDeleted: 'videos',
  VideoTranscoded: 'videos',
  VideoTranscodeFailed: 'videos',
  SubscriptionCreated: 'billing',
  SubscriptionCanceled: 'billing',
  SubscriptionUpdated: 'billing',
  TrialWillEnd: 'billing',
  PaymentSucceeded: 'billing',
  PaymentFailed: 'billing',
  BillingWebhookReceived: 'billing',
  PlaybackStarted: 'playback',
  PlaybackEnded: 'playback',
  PlaybackHeartbeat: 'playback',
  PlaybackFailed: 'playback',
};

/** The queues a service produces onto: every queue that receives an event it emits. */
export function producedQueues(service: ServiceName): QueueName[] {
  const queues = new Set<QueueName>();
  for (const [type, source] of Object.entries(EVENT_SOURCES) as [EventType, ServiceName][])
    if (source === service) for (const q of EVENT_ROUTES[type]) queues.add(q);
  return QUEUE_NAMES.filter((q) => queues.has(q));
}

/** The queue a service consumes, if it consumes one. */
export function consumedQueue(service: ServiceName): QueueName | undefined {
  return QUEUE_NAMES.find((q) => QUEUES[q].consumer === service);
}

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
