/** A runner's numbers are bounded by the protocol and checked against the job before anything is stored. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CompleteRequest, HeartbeatRequest } from '../../../lib/runner-protocol.ts';
import { checkJobReport } from '../src/job-report.ts';
import {
  claim,
  clearJobQueue,
  completeBody,
  jobRow,
  report,
  storeOutputs,
  videoWithJob,
} from './support/runner.ts';
import { call, testEnv } from './support/service.ts';

beforeEach(clearJobQueue);

const body = completeBody('lease');
const rendition = body.renditions[0]!;
const paths = (r: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  r.error?.issues.map((i) => i.path.join('.')) ?? [];
const withRendition = (changes: Record<string, unknown>) => ({
  ...body,
  renditions: [{ ...rendition, ...changes }, body.renditions[1]],
});

describe('the protocol bounds every number a runner reports', () => {
  it('the baseline report is valid', () => {
    expect(CompleteRequest.safeParse(body).success).toBe(true);
  });

  it.each([
    [
      'a 100000x100000 rendition',
      { width: 100_000, height: 100_000 },
      ['renditions.0.width', 'renditions.0.height'],
    ],
    ['odd sides', { width: 1279, height: 719 }, ['renditions.0.width', 'renditions.0.height']],
    ['a 4x4 rendition', { width: 4, height: 4 }, ['renditions.0.width', 'renditions.0.height']],
    ['a terabit bandwidth', { bandwidth: 1e12 }, ['renditions.0.bandwidth']],
    ['a fractional bandwidth', { averageBandwidth: 1.5 }, ['renditions.0.averageBandwidth']],
    ['1000 frames per second', { frameRate: 1000 }, ['renditions.0.frameRate']],
    ['an infinite frame rate', { frameRate: Number.POSITIVE_INFINITY }, ['renditions.0.frameRate']],
    ['a billion segments', { segments: 1e9 }, ['renditions.0.segments']],
    ['a playlist line in CODECS', { codecs: 'avc1"\n#EXT-X-STREAM-INF' }, ['renditions.0.codecs']],
  ])('refuses %s', (_, changes, expected) => {
    expect(paths(CompleteRequest.safeParse(withRendition(changes)))).toEqual(expected);
  });

  it('refuses durations of zero, negative or over 48 h, and absurd source sizes and frame rates', () => {
    for (const durationSec of [0, -1, 48 * 3600 + 1, Number.NaN])
      expect(paths(CompleteRequest.safeParse({ ...body, durationSec }))).toEqual(['durationSec']);
    const source = { ...body.source, width: 1e6, frameRate: 1e6 };
    expect(paths(CompleteRequest.safeParse({ ...body, source }))).toEqual([
      'source.width',
      'source.frameRate',
    ]);
  });

  it('refuses heartbeat progress over 100 and absurd speeds', () => {
    expect(HeartbeatRequest.safeParse({ leaseToken: 't', progress: 101 }).success).toBe(false);
    expect(HeartbeatRequest.safeParse({ leaseToken: 't', progress: 5, speed: 1e9 }).success).toBe(false);
    expect(HeartbeatRequest.safeParse({ leaseToken: 't', progress: 5, speed: 2.5 }).success).toBe(true);
  });
});

describe('a report must fit the job', () => {
  const limits = {
    MAX_DURATION_SEC: 600,
    MAX_SOURCE_WIDTH: 1920,
    MAX_SOURCE_HEIGHT: 1080,
    SEGMENT_SECONDS: 2,
    MAX_OUTPUT_FILE_BYTES: 512 * 1024 ** 2,
  };
  const { leaseToken: _, ...outputs } = body;
  const fieldsOf = (report: typeof outputs) => {
    try {
      checkJobReport(report, limits);
      return [];
    } catch (err) {
      return ((err as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);
    }
  };

  it('accepts the baseline', () => expect(fieldsOf(outputs)).toEqual([]));

  it('refuses a duration over MAX_DURATION_SEC and a source over the size limit', () => {
    expect(fieldsOf({ ...outputs, durationSec: 601 })).toContain('durationSec');
    expect(fieldsOf({ ...outputs, source: { ...outputs.source, width: 3840, height: 2160 } })).toEqual([
      'source',
    ]);
  });

  it('refuses a rendition taller than its source, portrait or landscape', () => {
    const source = { ...outputs.source, width: 640, height: 360 };
    expect(fieldsOf({ ...outputs, source })).toEqual(['renditions.0.height']);
    const portrait = { ...outputs.source, width: 720, height: 1280 };
    const tall = { ...rendition, width: 720, height: 1280 };
    expect(fieldsOf({ ...outputs, source: portrait, renditions: [tall] })).toEqual([]);
  });

  it('refuses a bandwidth its bytes cannot carry, and more segments than the duration holds', () => {
    const renditions = [{ ...rendition, averageBandwidth: rendition.averageBandwidth * 10 }];
    expect(fieldsOf({ ...outputs, renditions })).toEqual(['renditions.0.averageBandwidth']);
    expect(fieldsOf({ ...outputs, renditions: [{ ...rendition, segments: 500 }] })).toEqual([
      'renditions.0.segments',
    ]);
  });

  it('refuses a rendition reported twice', () => {
    expect(fieldsOf({ ...outputs, renditions: [rendition, rendition] })).toEqual(['renditions.1.name']);
  });
});

describe('through the route', () => {
  it('a runner cannot report a rendition larger than the source: 400, nothing stored, the job keeps its lease', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    await storeOutputs(videoId, jobId);
    const source = { ...body.source, width: 640, height: 360 };
    const res = await report('complete', jobId, completeBody(job.leaseToken, { source }));
    expect(res.status).toBe(400);
    expect(res.problem?.errors).toEqual([expect.objectContaining({ path: 'renditions.0.height' })]);
    expect((await jobRow(jobId))?.state).toBe('processing');
    expect(await testEnv.MEDIA.head(`public/posters/${videoId}/${jobId}.jpg`)).toBeNull();
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.renditions ?? []).toEqual([]);
  });
});
