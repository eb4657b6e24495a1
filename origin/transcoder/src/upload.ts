/**
 * Publishes the output folder through the job's signed PUT prefix (`urlPrefix + relativePath`).
 * Files go up in parallel (bounded), each retried with back-off on 5xx and network errors; the master
 * playlist goes last, so a master that exists always points at renditions that exist.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { errorMessage, JobFailure } from './errors.ts';
import { formatBytes } from './format.ts';
import type { Logger } from './log.ts';
import { mapWithConcurrency, withRetry } from './retry.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.vtt': 'text/vtt',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface UploadOptions {
  concurrency: number;
  maxFileBytes: number;
  log: Logger;
  signal?: AbortSignal;
  /** Bytes acknowledged by storage so far, out of `total`. */
  onProgress?: (uploaded: number, total: number) => void;
  attempts?: number;
  /** The file that must land last. */
  lastFile?: string;
}

export interface UploadSummary {
  files: number;
  bytes: number;
}

export async function uploadOutputs(
  outDir: string,
  urlPrefix: string,
  options: UploadOptions,
): Promise<UploadSummary> {
  const files = await listFiles(outDir);
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(outDir, f))).size));
  files.forEach((file, i) => {
    const size = sizes[i] ?? 0;
    if (size > options.maxFileBytes) {
      throw new JobFailure(
        `Output ${file} is ${formatBytes(size)}, over the ${formatBytes(options.maxFileBytes)} storage limit`,
        false,
      );
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  let uploaded = 0;

  const put = async (file: string) => {
    const body = await readFile(join(outDir, file)); // Segments are small; a Buffer gives storage its Content-Length.
    await withRetry(() => putOnce(urlPrefix + encodePath(file), file, body, options.signal), {
      attempts: options.attempts ?? 5,
      baseMs: 300,
      maxMs: 8_000,
      signal: options.signal,
      isRetryable: (err) => !(err instanceof JobFailure),
      onRetry: (err, attempt, delayMs) =>
        options.log.warn('upload failed; retrying', { file, error: err, attempt, delayMs }),
    }).catch((err: unknown) => {
      if (err instanceof JobFailure || options.signal?.aborted) throw err;
      throw new JobFailure(`Uploading ${file} failed: ${errorMessage(err)}`, true);
    });
    uploaded += body.length;
    options.onProgress?.(uploaded, total);
  };

  const last = options.lastFile;
  await mapWithConcurrency(
    files.filter((f) => f !== last),
    options.concurrency,
    put,
  );
  if (last && files.includes(last)) await put(last);
  return { files: files.length, bytes: total };
}

async function putOnce(url: string, file: string, body: Buffer, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(120_000);
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': contentTypeFor(file) },
    body,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  await response.body?.cancel();
  if (response.ok) return;
  // 5xx, 429 and 408 are worth another try here; other 4xx will not change by retrying this URL.
  if (response.status >= 500 || response.status === 429 || response.status === 408)
    throw new Error(`HTTP ${response.status}`);
  // The file name, not the URL: the URL carries the signature and the reason is shown to admins.
  throw new JobFailure(`Storage refused ${file}: HTTP ${response.status}`, response.status !== 413);
}

/** Relative paths with forward slashes, sorted so uploads (and logs) are deterministic. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
