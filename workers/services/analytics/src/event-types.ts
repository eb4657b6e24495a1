/**
 * The event types analytics accepts: every domain event of the platform (queues/events.ts), the
 * player's quality-of-experience events, and `custom.<name>` for anything else a client measures.
 */
import { EVENT_TYPES, type EventType } from '../../../../queues/events.ts';

/**
 * The player's events, after Mux Data's event model: a view (one `viewId`) opens with `viewStart`
 * when the viewer asks for playback and closes with `viewEnd`; `playing` is the first frame shown
 * (and every resume); a stall is `rebuffer.start` … `rebuffer.end`; `error` is a fatal playback error.
 */
export const PLAYER_EVENTS = [
  'viewStart',
  'playerReady',
  'play',
  'playing',
  'pause',
  'seeking',
  'seeked',
  'rebuffer.start',
  'rebuffer.end',
  'renditionChange',
  'heartbeat',
  'error',
  'ended',
  'viewEnd',
] as const;
export type PlayerEvent = (typeof PLAYER_EVENTS)[number];

export const CUSTOM_EVENT = /^custom\.[A-Za-z0-9_.-]{1,64}$/;

const DOMAIN = new Set<string>(EVENT_TYPES);
const PLAYER = new Set<string>(PLAYER_EVENTS);

export const isDomainEvent = (t: string): t is EventType => DOMAIN.has(t);
export const isPlayerEvent = (t: string): t is PlayerEvent => PLAYER.has(t);
export const isKnownEventType = (t: string): boolean =>
  DOMAIN.has(t) || PLAYER.has(t) || CUSTOM_EVENT.test(t);
