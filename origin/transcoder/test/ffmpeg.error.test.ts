import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FfmpegError, ProbeError, probe, runFfmpeg, StallError } from '../src/ffmpeg.ts';
import { tempDir } from './support/temp.ts';

/** ffmpeg processes whose parent is this test worker. */
function ffmpegChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/) ?? [];
        return comm === 'ffmpeg' && Number(rest?.split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('runFfmpeg failures', () => {
  it('kills an ffmpeg that stops progressing (input fifo never delivers) and rejects as retryable', async () => {
    const fifo = join(tempDir('stall'), 'input.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();

    const error = await runFfmpeg(['-i', fifo, '-f', 'null', '-'], { stallTimeoutMs: 1_500 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(StallError);
    expect((error as StallError).retryable).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('rejects with the tail of stderr when ffmpeg fails', async () => {
    const error = await runFfmpeg(['-i', '/nonexistent/master.mp4', '-f', 'null', '-']).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).exitCode).not.toBe(0);
    expect((error as FfmpegError).message).toContain('No such file or directory');
  });

  it('kills ffmpeg and rejects with the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    const reason = new Error('lease lost');
    const run = runFfmpeg(
      ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '60', '-f', 'null', '-'],
      {
        signal: controller.signal,
        onProgress: () => controller.abort(reason),
      },
    );

    await expect(run).rejects.toBe(reason);
    expect(ffmpegChildren()).toEqual([]);
  });
});

describe('probe failures', () => {
  it("rejects a non-media file with ffprobe's own message, without the path", async () => {
    // No extension, like a downloaded master: ffprobe has only the content to go by.
    const path = join(tempDir('probe'), 'master');
    writeFileSync(path, 'not a video\n');

    const error = await probe(path).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProbeError);
    expect((error as ProbeError).detail).toBe('Invalid data found when processing input');
  });
});
