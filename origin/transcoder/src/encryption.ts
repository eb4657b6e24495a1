/**
 * HLS AES-128 encryption of a finished rendition. ffmpeg 5.1's HLS muxer refuses encryption with
 * fMP4 segments ("Encrypted fmp4 not yet supported", for `-hls_enc` and `-hls_key_info_file`
 * alike), so the runner encrypts after ffmpeg: METHOD=AES-128 is whole-file AES-128-CBC with PKCS#7
 * padding, independent of the container. Each media segment is encrypted in place under the job's
 * key and IV, and `#EXT-X-KEY:METHOD=AES-128,URI="…",IV=0x…` goes right after `#EXT-X-MAP`, so the
 * key applies to every segment and not to the init segment, which stays in clear (it holds codec
 * setup only, and players fetch it unencrypted when no key precedes the map).
 *
 * The key exists only in memory: no key file is written, so none can be uploaded; it is never logged.
 */
import { createCipheriv } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobEncryption } from '../../../workers/lib/runner-protocol.ts';
import { JobFailure } from './errors.ts';

/** The playlist tag of a job's key: the URI the stream endpoint answers, the IV of every segment. */
export function keyTag(encryption: JobEncryption): string {
  return `#EXT-X-KEY:METHOD=AES-128,URI="${encryption.keyUri}",IV=0x${encryption.ivHex}`;
}

export function encryptSegment(clear: Uint8Array, encryption: JobEncryption): Buffer {
  const cipher = createCipheriv(
    'aes-128-cbc',
    Buffer.from(encryption.keyHex, 'hex'),
    Buffer.from(encryption.ivHex, 'hex'),
  );
  return Buffer.concat([cipher.update(clear), cipher.final()]);
}

/**
 * Encrypts the media segments (`segmentUris`, relative to `dir`) of `<dir>/index.m3u8` in place and
 * adds the key tag to the playlist.
 */
export async function encryptRendition(
  dir: string,
  segmentUris: readonly string[],
  encryption: JobEncryption,
): Promise<void> {
  const playlistPath = join(dir, 'index.m3u8');
  const text = await readFile(playlistPath, 'utf8');
  if (text.includes('#EXT-X-KEY:')) throw new JobFailure(`${dir} is already encrypted`, false);
  const lines = text.split('\n');
  const map = lines.findIndex((l) => l.startsWith('#EXT-X-MAP:'));
  if (map < 0) throw new JobFailure('a rendition without an init segment cannot be encrypted', false);
  lines.splice(map + 1, 0, keyTag(encryption));

  for (const uri of segmentUris) {
    const path = join(dir, uri);
    await writeFile(path, encryptSegment(await readFile(path), encryption));
  }
  await writeFile(playlistPath, lines.join('\n'));
}
