/** Where events are kept: ClickHouse when configured, D1 otherwise. Both answer the same questions. */
import type { EventRow } from '../rows.ts';

export interface RangeQuery {
  from: number;
  /** Exclusive. */
  to: number;
  /** Bucket width in ms; buckets start at multiples of it since the epoch. */
  width: number;
  videoId?: string | undefined;
}

/** What the quality metrics are computed from, over one bucket or the whole range. */
export interface ViewStats {
  /** Views with a viewStart in the range. */
  views: number;
  /** Distinct users who started those views. */
  viewers: number;
  watchMs: number;
  rebufferMs: number;
  /** Views with an error event. */
  failed: number;
  /** Views that ended without a first frame and without an error. */
  exitsBeforeStart: number;
  /** Views that reached a first frame (the startup times' population). */
  started: number;
  startupP50: number;
  startupP95: number;
}

export interface Aggregate<T> {
  total: T;
  /** Bucket start (epoch ms) → value; buckets without events are absent. */
  buckets: Map<number, T>;
}

export interface EventStore {
  readonly kind: 'd1' | 'clickhouse';
  /** Stores rows; a row whose eventId is stored already counts once. Throws when the store is down. */
  insert(rows: EventRow[]): Promise<void>;
  /**
   * Unlinks a deleted user from their events: their id (also inside metadata) becomes `pseudonym`,
   * so the counts stay and the person goes. ClickHouse applies it as a mutation, shortly after.
   */
  forgetUser(userId: string, pseudonym: string): Promise<void>;
  /** Distinct events of these types per bucket. */
  countEvents(q: RangeQuery, types: string[]): Promise<Aggregate<number>>;
  /** View statistics per bucket of each view's start. */
  viewStats(q: RangeQuery): Promise<Aggregate<ViewStats>>;
}

/**
 * The quantile as ClickHouse's quantileExact takes it: the value at 0-based rank ⌊level·n⌋ of the
 * sorted values (no interpolation), so that both stores answer alike.
 */
export function quantileExact(sorted: number[], level: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))]!;
}
