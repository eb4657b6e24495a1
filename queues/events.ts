/**
 * Every domain event of the platform: one zod schema per type, one envelope around them.
 * Producers and consumers import from here; nothing else defines an event shape.
 */
import { z } from 'zod';

const id = z.string().min(1);
const iso = z.iso.datetime();

/** Stripe's subscription statuses, which billing keeps (and the local provider follows). */
export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;

const rendition = z.object({
  name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bandwidth: z.number().int().positive(),
  codecs: z.string(),
  playlist: z.string(),
});

export const EVENT_DATA = {
  UserRegistered: z.object({
    userId: id,
    email: z.email(),
    name: z.string(),
    roles: z.array(z.string()),
    provider: z.enum(['password', 'google', 'github']).default('password'),
  }),
  UserLoggedIn: z.object({ userId: id, method: z.enum(['password', 'google', 'github']) }),
  UserRoleChanged: z.object({ userId: id, roles: z.array(z.string()), changedBy: id }),
  /** The account is gone, with its sessions and keys; consumers forget what they hold of it. */
  UserDeleted: z.object({ userId: id }),
  PasswordResetRequested: z.object({ userId: id, email: z.email(), expiresAt: iso }),

  WatchlistUpdated: z.object({ userId: id, videoId: id, action: z.enum(['added', 'removed']) }),
  HistoryUpdated: z.object({ userId: id, videoId: id, progress: z.number().min(0), watchedAt: iso }),
  VideoRated: z.object({
    userId: id,
    videoId: id,
    rating: z.number().int().min(1).max(5),
    comment: z.string().max(2000).optional(),
  }),
  VideoWatched: z.object({
    userId: id,
    videoId: id,
    progress: z.number().min(0),
    durationSec: z.number().min(0).optional(),
    completed: z.boolean(),
  }),

  VideoCreated: z.object({
    videoId: id,
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    genres: z.array(z.string()),
    releaseYear: z.number().int().optional(),
    durationSec: z.number().optional(),
    maturityRating: z.string().optional(),
    status: z.string(),
  }),
  VideoUpdated: z.object({
    videoId: id,
    title: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    genres: z.array(z.string()),
    releaseYear: z.number().int().optional(),
    durationSec: z.number().optional(),
    maturityRating: z.string().optional(),
    status: z.string(),
  }),
  VideoUploaded: z.object({
    videoId: id,
    masterKey: z.string(),
    /** Distinguishes a second master from redelivery of the first. */
    masterVersion: z.string(),
    size: z.number().int().min(0),
    contentType: z.string().optional(),
  }),
  VideoDeleted: z.object({ videoId: id }),
  VideoTranscoded: z.object({
    videoId: id,
    jobId: id,
    durationSec: z.number().min(0),
    renditions: z.array(rendition),
    thumbnailUrl: z.string().optional(),
  }),
  VideoTranscodeFailed: z.object({ videoId: id, jobId: id, reason: z.string(), attempts: z.number().int() }),

  SubscriptionCreated: z.object({
    subscriptionId: id,
    userId: id,
    planId: id,
    status: z.enum(['active', 'trialing', 'incomplete', 'past_due']),
  }),
  SubscriptionCanceled: z.object({
    subscriptionId: id,
    userId: id,
    endsAt: iso,
    /** `requested` by the user or an admin (access until `endsAt`), or ended by failed payments. */
    reason: z.enum(['requested', 'payment_failed', 'provider']).optional(),
  }),
  SubscriptionUpdated: z.object({
    subscriptionId: id,
    userId: id,
    planId: id,
    status: z.enum(SUBSCRIPTION_STATUSES),
    previousStatus: z.string().optional(),
    previousPlanId: id.optional(),
    cancelAtPeriodEnd: z.boolean(),
    currentPeriodEnd: iso.nullable(),
  }),
  TrialWillEnd: z.object({ subscriptionId: id, userId: id, planId: id, trialEnd: iso }),
  PaymentSucceeded: z.object({
    userId: id,
    subscriptionId: id,
    invoiceId: id,
    amount: z.number().int(),
    currency: z.string(),
  }),
  PaymentFailed: z.object({
    userId: id,
    subscriptionId: id.optional(),
    invoiceId: id.optional(),
    amount: z.number().int(),
    currency: z.string(),
    reason: z.string(),
  }),

  /**
   * A verified payment-provider webhook, queued for the billing service to process (internal work:
   * it goes to billing's own queue only). `facts` are what the event itself says happened.
   */
  BillingWebhookReceived: z.object({
    provider: z.enum(['stripe', 'local']),
    eventId: id,
    type: z.string(),
    objectType: z.string(),
    objectId: id,
    created: iso,
    facts: z
      .object({ amount: z.number().int(), currency: z.string(), attemptCount: z.number().int() })
      .optional(),
  }),

  PlaybackStarted: z.object({
    userId: id,
    videoId: id,
    sessionId: id,
    maxHeight: z.number().int().optional(),
  }),
  PlaybackEnded: z.object({ userId: id, videoId: id, sessionId: id, watchedSec: z.number().min(0) }),
  PlaybackHeartbeat: z.object({ userId: id, videoId: id, sessionId: id, watchedSec: z.number().min(0) }),
  PlaybackFailed: z.object({ userId: id, videoId: id, sessionId: id.optional(), code: z.string() }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventData<T extends EventType> = z.output<(typeof EVENT_DATA)[T]>;

const envelopeBase = z.object({
  id: z.string().min(1),
  time: iso,
  source: z.string().min(1),
  subject: z.string().min(1),
  traceparent: z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
});

export const EventEnvelope = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) =>
    envelopeBase.extend({ type: z.literal(type), data: EVENT_DATA[type] }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

export interface Envelope<T extends EventType = EventType> {
  id: string;
  type: T;
  time: string;
  source: string;
  subject: string;
  traceparent: string;
  data: EventData<T>;
}

export type AnyEnvelope = { [T in EventType]: Envelope<T> }[EventType];
