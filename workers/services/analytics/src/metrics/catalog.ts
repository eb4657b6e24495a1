/**
 * The metrics `GET /metrics` answers: a count per event type, and the quality metrics a video team
 * watches, each defined as Mux Data / Conviva define it (README "Analytics" spells every definition).
 * The view is the unit: the events sharing a `viewId`, placed in time by their `viewStart`.
 */
export const QUALITY_METRICS = {
  plays: { unit: 'views', about: 'Views started (viewStart), each viewId once.' },
  uniqueViewers: { unit: 'users', about: 'Distinct users who started a view.' },
  watchTime: { unit: 'seconds', about: "Sum of the views' watch time (viewEnd.watchTimeMs)." },
  startupTimeP50: {
    unit: 'ms',
    about: 'Median time from viewStart to the first playing, over views that started.',
  },
  startupTimeP95: { unit: 'ms', about: '95th percentile of the same.' },
  rebufferingRatio: { unit: 'ratio', about: 'Time stalled (rebuffer.end.durationMs) over watch time.' },
  playbackFailureRate: { unit: 'ratio', about: 'Views with an error event over views.' },
  exitsBeforeVideoStart: {
    unit: 'ratio',
    about: 'Views that ended (viewEnd) without a first frame and without an error, over views.',
  },
  playbackErrors: { unit: 'events', about: 'Player error events plus PlaybackFailed domain events.' },
} as const;
export type QualityMetric = keyof typeof QUALITY_METRICS;
export const QUALITY_METRIC_NAMES = Object.keys(QUALITY_METRICS) as QualityMetric[];
export const isQualityMetric = (t: string): t is QualityMetric => t in QUALITY_METRICS;

export const INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
} as const;
export type Interval = keyof typeof INTERVALS;
/** A range of more buckets than this is refused, not computed. */
export const MAX_BUCKETS = 1000;
