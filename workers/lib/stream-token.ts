/**
 * Stream tokens, carried by playback URLs `<origin>/stream/<token>/<videoId>/<path>`: the playback
 * service signs what one viewer may stream of one video (its output prefix, the rendition folders
 * above the plan's resolution, the session, the expiry) with HMAC-SHA256 under STREAM_SIGNING_KEY;
 * the gateway's stream endpoint verifies it on every request, with no database call. The token sits
 * in the path so the relative URIs of the HLS playlists inherit it.
 *
 * Format: `<base64url(JSON payload)>.<base64url(HMAC-SHA256("stream-url.v1." + payload))>`.
 */
import { z } from 'zod';
import { signedTokens, type TokenDenial } from './signed-token.ts';

const StreamClaims = z.object({
  /** The viewer (user id). */
  sub: z.string().min(1).max(128),
  /** The video id. */
  vid: z.string().min(1).max(128),
  /** The video's output prefix, `renditions/<videoId>/<job>/`. */
  pre: z.string().min(1).max(512),
  /** The master playlist, relative to the prefix. */
  mst: z.string().min(1).max(512),
  /** The largest rendition height the viewer may see. */
  mh: z.number().int().min(0),
  /** Rendition folders (relative to the prefix) above `mh`: never served. */
  den: z.array(z.string().min(1).max(256)).max(64),
  /** The playback session. */
  sid: z.string().min(1).max(128),
  /** Expiry, Unix seconds. */
  exp: z.number().int(),
});
export type StreamClaims = z.infer<typeof StreamClaims>;

export type StreamDenialReason = TokenDenial;

export class StreamDenied extends Error {
  readonly reason: StreamDenialReason;
  constructor(reason: StreamDenialReason, message: string) {
    super(message);
    this.name = 'StreamDenied';
    this.reason = reason;
  }
}

const tokens = signedTokens({
  domain: 'stream-url.v1.',
  secretName: 'STREAM_SIGNING_KEY',
  schema: StreamClaims,
  noun: 'stream',
  maxLength: 4096,
  deny: (reason, message) => new StreamDenied(reason, message),
});

export const signStreamToken: (secret: string, claims: StreamClaims) => Promise<string> = tokens.sign;

/** The claims a token carries, after checking its signature (constant time) and expiry. */
export const verifyStreamToken: (secret: string, token: string, nowSec?: number) => Promise<StreamClaims> =
  tokens.verify;

/** The stream URL of a video's master playlist. */
export function streamMasterUrl(origin: string, token: string, videoId: string): string {
  return `${origin.replace(/\/+$/, '')}/stream/${token}/${encodeURIComponent(videoId)}/master.m3u8`;
}

/** The height of an `#EXT-X-STREAM-INF` / `#EXT-X-I-FRAME-STREAM-INF` line (its RESOLUTION), if any. */
export function resolutionHeight(tagLine: string): number | undefined {
  const m = /(?:^|[:,])RESOLUTION=(\d+)x(\d+)/i.exec(tagLine);
  return m ? Number(m[2]) : undefined;
}

/**
 * The master playlist with only the variants at or below `maxHeight`: a variant without a
 * RESOLUTION is kept (audio-only); one above is dropped with its URI line.
 */
export function filterMasterPlaylist(text: string, maxHeight: number): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#EXT-X-STREAM-INF')) {
      const h = resolutionHeight(line);
      if (h !== undefined && h > maxHeight) {
        // Skip the tag and the URI that follows it (with any comments or blank lines between).
        let j = i + 1;
        while (j < lines.length && (lines[j]!.trim() === '' || lines[j]!.startsWith('#'))) j++;
        i = j;
        continue;
      }
    } else if (line.startsWith('#EXT-X-I-FRAME-STREAM-INF')) {
      const h = resolutionHeight(line);
      if (h !== undefined && h > maxHeight) continue;
    }
    out.push(line);
  }
  return out.join('\n');
}
