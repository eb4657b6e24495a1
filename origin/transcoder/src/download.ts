/**
 * Streams the master to a local file (never whole in memory: masters are gigabytes). A dropped
 * connection resumes where it stopped with an HTTP Range request instead of starting over.
 */
import { createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, JobFailure } from './errors.ts';
import { formatBytes } from './format.ts';
import type { Logger } from './log.ts';
import { backoffMs, sleep } from './retry.ts';

export interface DownloadOptions {
  /** Size announced in the job (0 when unknown). */
  expectedBytes: number;
  maxBytes: number;
  log: Logger;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  attempts?: number;
}

/** Returns the number of bytes written to `dest`. */
export async function downloadMaster(url: string, dest: string, options: DownloadOptions): Promise<number> {
  const { signal, maxBytes } = options;
  const attempts = options.attempts ?? 6;
  let written = 0;

  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, {
        headers: written > 0 ? { range: `bytes=${written}-` } : {},
        signal,
      });
      if (written > 0 && response.status === 200) {
        written = 0; // The server ignored the Range and sent everything: take it from the start.
      } else if (written > 0 && response.ok && !resumesAt(response, written)) {
        // A misread Range: start over rather than splice the wrong bytes in.
        await response.body?.cancel();
        await truncate(dest, 0);
        throw new TransientHttpError(`unexpected Content-Range ${response.headers.get('content-range')}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw classifyStatus(response.status);
      }

      const remaining = Number(response.headers.get('content-length') ?? Number.NaN);
      if (written + remaining > maxBytes) {
        await response.body?.cancel();
        throw new JobFailure(
          `The upload is ${formatBytes(written + remaining)}; the limit is ${formatBytes(maxBytes)}`,
          false,
        );
      }
      let received = written;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          if (received > maxBytes) {
            callback(new JobFailure(`The upload is larger than the ${formatBytes(maxBytes)} limit`, false));
            return;
          }
          options.onProgress?.(received);
          callback(null, chunk);
        },
      });
      const body = response.body ? Readable.fromWeb(response.body) : Readable.from([]);
      await pipeline(body, count, createWriteStream(dest, { flags: written > 0 ? 'a' : 'w' }), { signal });
      written = (await stat(dest)).size;
      if (options.expectedBytes > 0 && written !== options.expectedBytes) {
        throw new JobFailure(
          `Downloaded ${written} bytes of the master, expected ${options.expectedBytes}`,
          true,
        );
      }
      return written;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof JobFailure) throw err;
      // What reached the disk is what we resume from, whatever the stream counted before failing.
      written = await stat(dest).then(
        (s) => s.size,
        () => 0,
      );
      if (attempt >= attempts) {
        throw new JobFailure(
          `Downloading the master failed after ${attempts} attempts: ${errorMessage(err)}`,
          true,
        );
      }
      const delayMs = backoffMs(attempt, 500, 10_000);
      options.log.warn('master download interrupted; resuming', {
        error: err,
        bytes: written,
        attempt,
        delayMs,
      });
      await sleep(delayMs, signal);
    }
  }
}

/** True when the response continues exactly at `offset` (206 with a matching Content-Range). */
function resumesAt(response: Response, offset: number): boolean {
  if (response.status !== 206) return false;
  const range = response.headers.get('content-range')?.match(/^bytes (\d+)-/);
  return Number(range?.[1]) === offset;
}

class TransientHttpError extends Error {}

function classifyStatus(status: number): Error {
  if (status === 404 || status === 410) {
    return new JobFailure(`The master file is missing from storage (HTTP ${status})`, false);
  }
  // 5xx and 429 are worth retrying here; other 4xx (an expired signature) need a fresh claim.
  if (status >= 500 || status === 429 || status === 408) return new TransientHttpError(`HTTP ${status}`);
  return new JobFailure(`Downloading the master failed: HTTP ${status}`, true);
}
