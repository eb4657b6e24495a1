import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../src/config.ts';
import { loadFixture, RANGE, T0 } from './support/fixture.ts';
import { admin, asGatewayWould, call, clearD1, STORES, storeEnv } from './support/service.ts';

const HOUR = 3_600_000;
const t1 = new Date(T0).toISOString();
const t2 = new Date(T0 + HOUR).toISOString();

/**
 * Worked out by hand from test/support/fixture.ts. Bucket 1 holds views A–D, bucket 2 view E.
 * Startup times: A 1000, B 3000 | E 2000 (C failed, D never started). Quantiles take the value at
 * rank ⌊p·n⌋ of the sorted times: bucket 1 [1000, 3000] → p50 = p95 = 3000; whole range
 * [1000, 2000, 3000] → p50 = 2000, p95 = 3000.
 */
const EXPECTED: Record<string, { count: number | null; series: (number | null)[] }> = {
  plays: { count: 5, series: [4, 1] },
  uniqueViewers: { count: 3, series: [3, 1] },
  watchTime: { count: 180, series: [150, 30] },
  startupTimeP50: { count: 2000, series: [3000, 2000] },
  startupTimeP95: { count: 3000, series: [3000, 2000] },
  // Stalls 2000 | 1500 over watch time 150000 | 30000.
  rebufferingRatio: { count: 3500 / 180_000, series: [2000 / 150_000, 1500 / 30_000] },
  playbackFailureRate: { count: 1 / 5, series: [1 / 4, 0] },
  exitsBeforeVideoStart: { count: 1 / 5, series: [1 / 4, 0] },
  // C's error and one PlaybackFailed, both in bucket 1.
  playbackErrors: { count: 2, series: [2, 0] },
  // Counts per event type (redelivered messages count once).
  viewStart: { count: 5, series: [4, 1] },
  'rebuffer.end': { count: 3, series: [1, 2] },
  UserRegistered: { count: 2, series: [2, 0] },
  VideoCreated: { count: 0, series: [0, 0] },
};

/** Per video: vid_1 has A, B and D, all in bucket 1. */
const VIDEO_1: Record<string, { count: number | null; series: (number | null)[] }> = {
  plays: { count: 3, series: [3, 0] },
  watchTime: { count: 150, series: [150, 0] },
  startupTimeP50: { count: 3000, series: [3000, null] },
  exitsBeforeVideoStart: { count: 1 / 3, series: [1 / 3, null] },
  playbackFailureRate: { count: 0, series: [0, null] },
  playbackErrors: { count: 1, series: [1, 0] },
};

const metric = (on: Env, type: string, extra: Record<string, string> = {}) =>
  call('analytics.metrics', { query: { type, ...RANGE, ...extra } }, admin, on);

describe.each(STORES)('metrics on the %s store', (kind) => {
  let on: Env;
  beforeAll(async () => {
    if (kind === 'd1') await clearD1();
    on = storeEnv(kind);
    await loadFixture(on);
  });

  for (const [type, want] of Object.entries(EXPECTED)) {
    it(`${type} over the whole range and per hour`, async () => {
      const res = await metric(on, type);
      expect(res.status).toBe(200);
      expect(res.body.count).toBeCloseTo(want.count!, 12);
      expect(res.body.series.map((p: { t: string }) => p.t)).toEqual([t1, t2]);
      expect(res.body.series.map((p: { value: number | null }) => p.value)).toEqual(
        want.series.map((v) => (v === null ? null : expect.closeTo(v, 12))),
      );
    });
  }

  for (const [type, want] of Object.entries(VIDEO_1)) {
    it(`${type} for one video`, async () => {
      const res = await metric(on, type, { videoId: 'vid_1' });
      expect(res.status).toBe(200);
      expect(res.body.count).toBeCloseTo(want.count!, 12);
      expect(res.body.series.map((p: { value: number | null }) => p.value)).toEqual(
        want.series.map((v) => (v === null ? null : expect.closeTo(v, 12))),
      );
    });
  }

  it('a range without events: zero counts, no ratios', async () => {
    const query = {
      from: new Date(T0 - 3 * HOUR).toISOString(),
      to: new Date(T0 - HOUR).toISOString(),
      interval: '1h',
    };
    const plays = await call('analytics.metrics', { query: { type: 'plays', ...query } }, admin, on);
    expect(plays.body).toMatchObject({ count: 0, series: [{ value: 0 }, { value: 0 }] });
    const ratio = await call(
      'analytics.metrics',
      { query: { type: 'rebufferingRatio', ...query } },
      admin,
      on,
    );
    expect(ratio.body).toMatchObject({ count: null, series: [{ value: null }, { value: null }] });
  });

  it('buckets of a minute see the same views', async () => {
    const res = await metric(on, 'plays', { interval: '1m' });
    expect(res.body.count).toBe(5);
    expect(res.body.series).toHaveLength(120);
    expect(
      res.body.series.filter((p: { value: number }) => p.value > 0).map((p: { value: number }) => p.value),
    ).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('the metrics query', () => {
  const refused = (query: Record<string, string>) => () => asGatewayWould('analytics.metrics', { query });

  it('refuses an unknown metric, a reversed range, and a range too large for its interval', () => {
    expect(refused({ type: 'nope' })).toThrow(/quality metric or an event type/);
    expect(refused({ type: 'plays', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toThrow(
      /must be before to/,
    );
    expect(
      refused({ type: 'plays', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:01Z', interval: '1m' }),
    ).toThrow(/1441 buckets of 1m; at most 1000/);
    expect(refused({ type: 'plays', interval: '2h' })).toThrow();
    expect(refused({ type: 'plays', from: 'yesterday' })).toThrow();
  });

  it('accepts custom event types and defaults to the last day by hour', () => {
    const input = asGatewayWould('analytics.metrics', { query: { type: 'custom.cast_started' } });
    expect(input.query).toMatchObject({ type: 'custom.cast_started', interval: '1h' });
  });
});
