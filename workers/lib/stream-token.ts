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
import { base64url } from './ids.ts';

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

export type StreamDenialReason = 'malformed' | 'bad_signature' | 'expired';

export class StreamDenied extends Error {
  readonly reason: StreamDenialReason;
  constructor(reason: StreamDenialReason, message: string) {
    super(message);
    this.name = 'StreamDenied';
    this.reason = reason;
  }
}

const encoder = new TextEncoder();
const DOMAIN = 'stream-url.v1.';
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  if (!secret) throw new Error('STREAM_SIGNING_KEY is not set');
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

function fromBase64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1)
    throw new StreamDenied('malformed', 'The stream token is malformed.');
  const b64 = s.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function signStreamToken(secret: string, claims: StreamClaims): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify(StreamClaims.parse(claims))));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(DOMAIN + payload));
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

/** The claims a token carries, after checking its signature (crypto.subtle.verify: constant time) and expiry. */
export async function verifyStreamToken(
  secret: string,
  token: string,
  nowSec = Date.now() / 1000,
): Promise<StreamClaims> {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined || token.length > 4096)
    throw new StreamDenied('malformed', 'The stream token is malformed.');
  const ok = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    fromBase64url(mac),
    encoder.encode(DOMAIN + payload),
  );
  if (!ok) throw new StreamDenied('bad_signature', 'The stream URL signature is invalid.');
  let claims: StreamClaims;
  try {
    claims = StreamClaims.parse(JSON.parse(new TextDecoder().decode(fromBase64url(payload))));
  } catch {
    throw new StreamDenied('malformed', 'The stream token is malformed.');
  }
  if (claims.exp <= nowSec) throw new StreamDenied('expired', 'The stream URL has expired.');
  return claims;
}

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
