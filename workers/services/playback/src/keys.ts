/**
 * Content keys: one AES-128 key per video, which the transcoder encrypts the video's HLS segments
 * with (`#EXT-X-KEY:METHOD=AES-128`) and the stream endpoint hands to players.
 *
 * At rest a key is wrapped with AES-GCM under a master key from the `CONTENT_KEY_MASTER` secret, with
 * the video id and key id as additional data (a wrapped key copied to another row does not open).
 * The secret is a keyring, `<version>:<base64 key>[,<version>:<base64 key>…]`, current entry first,
 * each key 16, 24 or 32 bytes. To rotate: put a new entry in front (keep the old ones), deploy, call
 * `rotateMasterKey` until it reports nothing left, then drop the old entries.
 *
 * Nothing here logs a key, a wrapped key or the secret; errors name versions and ids only.
 */
import { and, eq, ne } from 'drizzle-orm';
import { base64url, newId } from '../../../lib/ids.ts';
import { type Env, settings } from './config.ts';
import { database } from './db/client.ts';
import { contentKeys } from './db/schema.ts';

/** What a transcode job needs: hex as ffmpeg's `-hls_enc_key` / `-hls_enc_iv` take them. */
export interface JobContentKey {
  keyId: string;
  /** The 16-byte AES-128 key, 32 lowercase hex digits. */
  keyHex: string;
  /** The 16-byte IV of every segment, 32 lowercase hex digits (the playlists carry it as IV=0x…). */
  ivHex: string;
}

interface MasterKey {
  version: number;
  key: CryptoKey;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

const keyrings = new WeakMap<object, Promise<MasterKey[]>>();

/** The parsed keyring, current key first; parsed and imported once per env object. */
export function masterKeys(env: Env): Promise<MasterKey[]> {
  let ring = keyrings.get(env);
  if (!ring) {
    ring = importKeyring(settings(env).CONTENT_KEY_MASTER);
    keyrings.set(env, ring);
  }
  return ring;
}

async function importKeyring(secret: string | undefined): Promise<MasterKey[]> {
  if (!secret) throw new KeyringError('CONTENT_KEY_MASTER is not set');
  const seen = new Set<number>();
  const ring: MasterKey[] = [];
  for (const [i, entry] of secret.split(',').entries()) {
    const match = /^\s*(\d{1,9}):([A-Za-z0-9+/_-]+={0,2})\s*$/.exec(entry);
    if (!match) throw new KeyringError(`CONTENT_KEY_MASTER entry ${i + 1} is not <version>:<base64 key>`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new KeyringError(`CONTENT_KEY_MASTER repeats version ${version}`);
    seen.add(version);
    const bytes = fromBase64(match[2] ?? '');
    if (![16, 24, 32].includes(bytes.length))
      throw new KeyringError(`CONTENT_KEY_MASTER version ${version} is not a 16, 24 or 32-byte key`);
    const key = await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
    ring.push({ version, key });
  }
  return ring;
}

function fromBase64(text: string): Uint8Array {
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const aad = (videoId: string, keyId: string) => new TextEncoder().encode(`content-key\n${videoId}\n${keyId}`);

async function wrap(master: MasterKey, videoId: string, keyId: string, key: Uint8Array) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad(videoId, keyId) },
    master.key,
    key,
  );
  return {
    wrappedKey: toBase64(new Uint8Array(sealed)),
    wrapIv: toBase64(iv),
    masterVersion: master.version,
  };
}

interface Wrapped {
  videoId: string;
  keyId: string;
  wrappedKey: string;
  wrapIv: string;
  masterVersion: number;
}

async function unwrap(ring: MasterKey[], row: Wrapped): Promise<Uint8Array> {
  const master = ring.find((m) => m.version === row.masterVersion);
  if (!master)
    throw new KeyringError(`CONTENT_KEY_MASTER has no version ${row.masterVersion} (key ${row.keyId})`);
  try {
    const key = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(row.wrapIv), additionalData: aad(row.videoId, row.keyId) },
      master.key,
      fromBase64(row.wrappedKey),
    );
    return new Uint8Array(key);
  } catch {
    throw new KeyringError(
      `content key ${row.keyId} does not open under master version ${row.masterVersion}`,
    );
  }
}

/**
 * The video's content key, made on the first call: every later call (every job of the video, any
 * racing caller) gets the same key, id and IV.
 */
export async function contentKeyForJob(env: Env, videoId: string, now = new Date()): Promise<JobContentKey> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(videoId)) throw new TypeError('not a video id');
  const db = database(env.DB);
  const ring = await masterKeys(env);
  let row = await db.query.contentKeys.findFirst({ where: eq(contentKeys.videoId, videoId) });
  if (!row) {
    const keyId = newId('ck');
    const key = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const current = ring[0]!;
    await db
      .insert(contentKeys)
      .values({
        videoId,
        keyId,
        ivHex: toHex(iv),
        createdAt: now,
        ...(await wrap(current, videoId, keyId, key)),
      })
      .onConflictDoNothing({ target: contentKeys.videoId });
    // Whoever inserted first wins; read back what is stored.
    row = await db.query.contentKeys.findFirst({ where: eq(contentKeys.videoId, videoId) });
    if (!row) throw new Error(`content key of ${videoId} vanished`);
  }
  const key = await unwrap(ring, row);
  return { keyId: row.keyId, keyHex: toHex(key), ivHex: row.ivHex };
}

/** The raw 16 key bytes, or null when the video has no key of that id. */
export async function contentKey(env: Env, videoId: string, keyId: string): Promise<Uint8Array | null> {
  const db = database(env.DB);
  const row = await db.query.contentKeys.findFirst({
    where: and(eq(contentKeys.videoId, videoId), eq(contentKeys.keyId, keyId)),
  });
  if (!row) return null;
  return unwrap(await masterKeys(env), row);
}

export interface RotationReport {
  /** The keyring's current version, which every re-wrapped key is now under. */
  version: number;
  rewrapped: number;
  /** Keys still under another version (call again; `limit` bounds one call's work). */
  remaining: number;
}

/** Re-wraps up to `limit` keys stored under an older master version with the current one. */
export async function rotateMasterKey(env: Env, limit = 500, now = new Date()): Promise<RotationReport> {
  const db = database(env.DB);
  const ring = await masterKeys(env);
  const current = ring[0]!;
  const stale = await db.query.contentKeys.findMany({
    where: ne(contentKeys.masterVersion, current.version),
    limit,
  });
  const updates = [];
  for (const row of stale) {
    const key = await unwrap(ring, row);
    const wrapped = await wrap(current, row.videoId, row.keyId, key);
    updates.push(
      db
        .update(contentKeys)
        .set({ ...wrapped, rewrappedAt: now })
        .where(and(eq(contentKeys.videoId, row.videoId), eq(contentKeys.masterVersion, row.masterVersion))),
    );
  }
  const [first, ...rest] = updates;
  if (first) await db.batch([first, ...rest]);
  const left = await db.$count(contentKeys, ne(contentKeys.masterVersion, current.version));
  return { version: current.version, rewrapped: stale.length, remaining: left };
}

/**
 * The 16-byte key id (KID) under which EME and the DRM systems know a content key, base64url as in
 * W3C ClearKey: derived from the key id, so it needs no column and is the same for every caller.
 */
export async function clearKeyId(keyId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`content-key-kid\n${keyId}`));
  return base64url(new Uint8Array(digest).slice(0, 16));
}

/** The video's content keys as their ids and KIDs (none for a video in clear); no key is opened. */
export async function videoKeyIds(env: Env, videoId: string): Promise<{ keyId: string; kid: string }[]> {
  const rows = await database(env.DB)
    .select({ keyId: contentKeys.keyId })
    .from(contentKeys)
    .where(eq(contentKeys.videoId, videoId));
  return Promise.all(rows.map(async (r) => ({ keyId: r.keyId, kid: await clearKeyId(r.keyId) })));
}
