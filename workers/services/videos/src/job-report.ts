/**
 * A runner's completion report, checked against the job before anything is stored: the schema in
 * runner-protocol.ts bounds each number on its own; here they must also agree with the configured
 * limits, the source and each other, as ffprobe's figures for real outputs do.
 */

import { type FieldError, Problem } from '../../../lib/problem.ts';
import type { JobOutputs } from '../../../lib/runner-protocol.ts';
import type { Settings } from './config.ts';

/** How far a rendition's average bit rate may stray from its bytes over the duration (init segment, rounding). */
const BANDWIDTH_SLACK = 4;
/** ffmpeg's `-2` scaling may round a side up to the next even number. */
const ROUNDING_PX = 2;

type Limits = Pick<
  Settings,
  'MAX_DURATION_SEC' | 'MAX_SOURCE_WIDTH' | 'MAX_SOURCE_HEIGHT' | 'SEGMENT_SECONDS' | 'MAX_OUTPUT_FILE_BYTES'
>;

export function checkJobReport(report: JobOutputs, limits: Limits): void {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  const { durationSec, source } = report;

  if (durationSec > limits.MAX_DURATION_SEC)
    fail('durationSec', `at most MAX_DURATION_SEC (${limits.MAX_DURATION_SEC})`);
  const sourceLong = Math.max(source.width, source.height);
  const sourceShort = Math.min(source.width, source.height);
  const maxLong = Math.max(limits.MAX_SOURCE_WIDTH, limits.MAX_SOURCE_HEIGHT);
  const maxShort = Math.min(limits.MAX_SOURCE_WIDTH, limits.MAX_SOURCE_HEIGHT);
  if (sourceLong > maxLong || sourceShort > maxShort)
    fail(
      'source',
      `${source.width}x${source.height} is over the ${limits.MAX_SOURCE_WIDTH}x${limits.MAX_SOURCE_HEIGHT} limit`,
    );

  // HLS segments shorter than half the target are runts; there is at most one per rendition.
  const minSegmentSec = Math.min(0.5, limits.SEGMENT_SECONDS / 2);
  const maxSegments = Math.ceil(durationSec / minSegmentSec) + 2;
  const names = new Set<string>();
  report.renditions.forEach((r, i) => {
    const at = (field: string) => `renditions.${i}.${field}`;
    if (names.has(r.name)) fail(at('name'), `${r.name} is reported twice`);
    names.add(r.name);
    const long = Math.max(r.width, r.height);
    const short = Math.min(r.width, r.height);
    if (short > sourceShort || long > sourceLong + ROUNDING_PX)
      fail(at('height'), `${r.width}x${r.height} is larger than the ${source.width}x${source.height} source`);
    if (r.segments > maxSegments) fail(at('segments'), `at most ${maxSegments} for ${durationSec} s`);
    if (r.bytes > (r.segments + 1) * limits.MAX_OUTPUT_FILE_BYTES)
      fail(at('bytes'), 'more than its files can hold');
    const measured = (r.bytes * 8) / durationSec;
    if (r.averageBandwidth > measured * BANDWIDTH_SLACK || r.averageBandwidth * BANDWIDTH_SLACK < measured)
      fail(at('averageBandwidth'), `does not match ${r.bytes} bytes over ${durationSec} s`);
  });
  if (errors.length)
    throw Problem.badRequest('The report is not what a transcode of this job produces.', errors);
}
