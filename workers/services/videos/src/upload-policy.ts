/** Size and naming rules of master uploads, shared by the single and the multipart routes. */
import { eq } from 'drizzle-orm';
import { Problem } from '../../../lib/problem.ts';
import type { Db } from './db/client.ts';
import { uploads } from './db/schema.ts';

/** R2 (and S3) take at most 5 GiB in one PUT; larger masters go multipart. */
export const SINGLE_PUT_MAX_BYTES = 5 * 1024 ** 3;
export const DEFAULT_PART_BYTES = 64 * 1024 ** 2;
export const MAX_PARTS = 10_000;

export function checkMasterSize(
  size: number | undefined,
  maxMasterBytes: number,
  limit = maxMasterBytes,
): void {
  if (size === undefined) return;
  if (size > maxMasterBytes)
    throw new Problem(
      'payload_too_large',
      `Masters may be at most ${maxMasterBytes} bytes; this one is ${size}.`,
    );
  if (size > limit)
    throw Problem.badRequest(`A single PUT takes at most ${limit} bytes; use a multipart upload.`, [
      { path: 'size', message: `at most ${limit}` },
    ]);
}

/** Part size and count: the requested part size, grown if needed to stay within 10,000 parts. */
export function partLayout(
  size: number,
  requested = DEFAULT_PART_BYTES,
): { partSize: number; partCount: number } {
  const partSize = Math.max(requested, Math.ceil(size / MAX_PARTS));
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

export function partBytes(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - partSize * (partNumber - 1));
}

export type UploadRow = typeof uploads.$inferSelect;

/** An open multipart upload of this video, or the problem explaining why it is not one. */
export async function openMultipart(
  db: Db,
  videoId: string,
  uploadId: string,
  now: Date,
): Promise<UploadRow> {
  const upload = await db.query.uploads.findFirst({ where: eq(uploads.id, uploadId) });
  if (!upload || upload.videoId !== videoId || upload.kind !== 'multipart')
    throw Problem.notFound(`No multipart upload ${uploadId} for video ${videoId}.`);
  if (upload.state !== 'issued') throw Problem.conflict(`The upload is ${upload.state}.`);
  if (upload.expiresAt <= now) throw new Problem('gone', 'The upload has expired; start a new one.');
  return upload;
}
