/** Turns the store's counts and view statistics into one metric's total and zero-filled series. */
import type { EventStore, RangeQuery, ViewStats } from '../store/store.ts';
import { isQualityMetric, QUALITY_METRICS, type QualityMetric } from './catalog.ts';

export interface MetricResult {
  unit: string;
  count: number | null;
  series: { t: string; value: number | null }[];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Each view-based metric from a bucket's (or the range's) statistics; null where undefined. */
const FROM_VIEWS: Record<Exclude<QualityMetric, 'playbackErrors'>, (s: ViewStats) => number | null> = {
  plays: (s) => s.views,
  uniqueViewers: (s) => s.viewers,
  watchTime: (s) => s.watchMs / 1000,
  startupTimeP50: (s) => (s.started ? s.startupP50 : null),
  startupTimeP95: (s) => (s.started ? s.startupP95 : null),
  rebufferingRatio: (s) => ratio(s.rebufferMs, s.watchMs),
  playbackFailureRate: (s) => ratio(s.failed, s.views),
  exitsBeforeVideoStart: (s) => ratio(s.exitsBeforeStart, s.views),
};

/** The types `playbackErrors` counts: the player's fatal errors and the platform's failed playbacks. */
const PLAYBACK_ERRORS = ['error', 'PlaybackFailed'];

/** Every bucket start of the range, so that an empty bucket shows as 0 (or null), not as a gap. */
function bucketStarts(q: RangeQuery): number[] {
  const out: number[] = [];
  for (let t = Math.floor(q.from / q.width) * q.width; t < q.to; t += q.width) out.push(t);
  return out;
}

export async function computeMetric(store: EventStore, type: string, q: RangeQuery): Promise<MetricResult> {
  const starts = bucketStarts(q);
  const series = (value: (t: number) => number | null) =>
    starts.map((t) => ({ t: new Date(t).toISOString(), value: value(t) }));
  if (!isQualityMetric(type) || type === 'playbackErrors') {
    const counts = await store.countEvents(q, type === 'playbackErrors' ? PLAYBACK_ERRORS : [type]);
    return {
      unit: 'events',
      count: counts.total,
      series: series((t) => counts.buckets.get(t) ?? 0),
    };
  }
  const stats = await store.viewStats(q);
  const metric = FROM_VIEWS[type];
  // Counts and sums are 0 in an empty bucket; ratios and percentiles have no value there.
  const emptyValue = ['plays', 'uniqueViewers', 'watchTime'].includes(type) ? 0 : null;
  return {
    unit: QUALITY_METRICS[type].unit,
    count: metric(stats.total),
    series: series((t) => {
      const s = stats.buckets.get(t);
      return s ? metric(s) : emptyValue;
    }),
  };
}
