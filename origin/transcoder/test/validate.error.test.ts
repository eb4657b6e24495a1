import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobFailure } from '../src/errors.ts';
import { inspectSource, type SourceLimits } from '../src/validate.ts';
import { makeClip } from './support/clips.ts';
import { tempDir } from './support/temp.ts';

const generous: SourceLimits = { maxDurationSec: 600, maxInputBytes: 1e9, maxWidth: 3840, maxHeight: 2160 };
const scratch = tempDir('validate');

async function failureOf(
  input: string,
  limits: SourceLimits = generous,
  inputBytes = statSync(input).size,
): Promise<JobFailure> {
  const outcome = await inspectSource(input, { limits, inputBytes }).then(
    (source) => new Error(`expected a failure, got ${JSON.stringify(source)}`),
    (e: unknown) => e,
  );
  if (!(outcome instanceof JobFailure)) throw outcome;
  return outcome;
}

function ffmpeg(...args: string[]): void {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
}

describe('source validation', () => {
  it('accepts a real clip and reports what it is', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 3 });
    const source = await inspectSource(clip, { limits: generous, inputBytes: statSync(clip).size });
    expect(source).toMatchObject({ width: 640, height: 360, codec: 'h264', frameRate: 30 });
    expect(source.audioStreamIndex).toBeDefined();
    expect(source.durationSec).toBeCloseTo(3, 1);
  });

  it("fails text as not a video, non-retryable, with ffprobe's reason", async () => {
    const path = join(scratch, 'master');
    writeFileSync(path, 'these are my notes, not a movie\n'.repeat(50));
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      'The upload is not a video file (ffprobe: Invalid data found when processing input)',
    );
  });

  it('refuses demuxers that are not video containers (text rendered as video by tty)', async () => {
    const path = join(scratch, 'notes.txt');
    writeFileSync(path, 'these are my notes, not a movie\n'.repeat(50));
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The upload is not in a supported video format (found: tty)');
  });

  it('refuses a playlist that would make ffmpeg read other files', async () => {
    const path = join(scratch, 'evil');
    writeFileSync(
      path,
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${makeClip({ width: 640, height: 360, seconds: 3 })}\n#EXT-X-ENDLIST\n`,
    );
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The upload is not in a supported video format (found: hls)');
  });

  it('fails a still image', async () => {
    const path = join(scratch, 'still.png');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', path);
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The upload is not in a supported video format (found: png_pipe)');
  });

  it('fails an audio-only file: no video stream', async () => {
    const path = join(scratch, 'tone.m4a');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:a', 'aac', path);
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The upload has no video stream (found: audio)');
  });

  it('fails a video longer than the job allows', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 3 });
    const failure = await failureOf(clip, { ...generous, maxDurationSec: 2 });
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The video is 3 s long; the limit is 2 s');
  });

  it('fails a resolution over the limit', async () => {
    const clip = makeClip({ width: 1280, height: 720, seconds: 2 });
    const failure = await failureOf(clip, { ...generous, maxWidth: 640, maxHeight: 360 });
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The video is 1280x720; the limit is 640x360');
  });

  it('fails a picture too small to encode', async () => {
    const clip = makeClip({ width: 64, height: 8, seconds: 1, audio: false });
    const failure = await failureOf(clip);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The video is 64x8; each side must be at least 16 px');
  });

  it('fails a frame rate no camera records', async () => {
    const clip = makeClip({ width: 64, height: 64, seconds: 1, audio: false, fps: 1000 });
    const failure = await failureOf(clip);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe('The video runs at 1000 fps; the limit is 240 fps');
  });

  it('fails an upload over the size limit', async () => {
    const clip = makeClip({ width: 640, height: 360, seconds: 3 });
    const failure = await failureOf(clip, { ...generous, maxInputBytes: 1000 });
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/^The upload is [\d.]+ KB; the limit is 1.0 KB$/);
  });

  it('fails a file whose video cannot be decoded', async () => {
    // A valid container around zeroed media data: the header probes fine, no frame decodes.
    const clip = makeClip({ width: 640, height: 360, seconds: 2, audio: false });
    const bytes = Buffer.from(readFileSync(clip));
    const mdat = bytes.indexOf('mdat');
    bytes.fill(0, mdat + 4, mdat - 4 + bytes.readUInt32BE(mdat - 4));
    const path = join(scratch, 'corrupt.mp4');
    writeFileSync(path, bytes);
    const failure = await failureOf(path);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/^The video stream \(h264\) cannot be decoded/);
  });
});
