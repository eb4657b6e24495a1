/**
 * Storage grants, carried by signed storage URLs `<origin>/storage/<token>/<key>`: the videos
 * service signs a grant (method, key or key prefix, expiry, size limit) with HMAC-SHA256 under
 * STORAGE_SIGNING_KEY; the gateway's storage endpoint verifies it and streams to or from R2. The
 * token sits in the path so relative URIs inside an HLS playlist inherit it.
 */
import { z } from 'zod';
import { signedTokens } from './signed-token.ts';

const Grant = z.object({
  /** GET also allows HEAD. */
  method: z.enum(['GET', 'PUT']),
  /** The object key, or with `prefix` every key below it (then it ends with '/'). */
  key: z.string().min(1).max(1024),
  prefix: z.boolean().optional(),
  /** Expiry, Unix seconds. */
  exp: z.number().int(),
  /** PUT: the largest body accepted, in bytes. */
  maxBytes: z.number().int().min(0).optional(),
  /** PUT: the body must be exactly `maxBytes` long. */
  exactSize: z.boolean().optional(),
  /** PUT: the Content-Type the body must carry. */
  contentType: z.string().max(255).optional(),
  /** PUT: one part of a multipart upload rather than a whole object. */
  part: z.object({ uploadId: z.string().min(1), number: z.number().int().min(1).max(10000) }).optional(),
  /** PUT: a master upload; storage tells the videos service once it is stored. */
  master: z.object({ videoId: z.string().min(1), version: z.string().min(1) }).optional(),
});
export type StorageGrant = z.infer<typeof Grant>;

export type DenialReason = 'malformed' | 'bad_signature' | 'expired' | 'wrong_method' | 'wrong_key';

export class StorageDenied extends Error {
  readonly reason: DenialReason;
  constructor(reason: DenialReason, message: string) {
    super(message);
    this.name = 'StorageDenied';
    this.reason = reason;
  }
}

const tokens = signedTokens({
  domain: 'storage-url.v1.',
  secretName: 'STORAGE_SIGNING_KEY',
  schema: Grant,
  noun: 'storage',
  deny: (reason, message) => new StorageDenied(reason, message),
});

export const signGrant: (secret: string, grant: StorageGrant) => Promise<string> = tokens.sign;

/** The grant a token carries, after checking its signature (in constant time) and its expiry. */
export const verifyToken: (secret: string, token: string, nowSec?: number) => Promise<StorageGrant> =
  tokens.verify;

/** Throws unless the grant allows `method` on `key`. */
export function checkAccess(grant: StorageGrant, method: string, key: string): void {
  const wanted = method === 'HEAD' ? 'GET' : method;
  if (wanted !== grant.method)
    throw new StorageDenied('wrong_method', `This URL allows ${grant.method}, not ${method}.`);
  const covered = grant.prefix
    ? key.startsWith(grant.key) && key.length > grant.key.length
    : key === grant.key;
  if (!covered) throw new StorageDenied('wrong_key', 'This URL does not cover that object.');
}

/** A key is a '/'-joined list of non-empty segments, none of them '.' or '..', without controls. */
export function isSafeKey(key: string, allowTrailingSlash = false): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return false;
  const segments = key.split('/');
  if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** `<origin>/storage/<token>/<key>`; for a prefix grant, the URL prefix runners append paths to. */
export function storageUrl(origin: string, token: string, key: string): string {
  return `${origin.replace(/\/+$/, '')}/storage/${token}/${encodeKey(key)}`;
}

/** Keys below this prefix (posters) are world-readable at `<origin>/storage/public/…` without a token. */
export const PUBLIC_PREFIX = 'public/';

export function publicUrl(origin: string, key: string): string {
  if (!key.startsWith(PUBLIC_PREFIX)) throw new Error(`${key} is not a public key`);
  return `${origin.replace(/\/+$/, '')}/storage/${encodeKey(key)}`;
}

/** Token and decoded key of a storage path (`/storage/<token>/<key…>`), or undefined if it is none. */
export function parseStoragePath(pathname: string): { token: string; key: string } | undefined {
  const m = /^\/storage\/([^/]+)\/(.+)$/.exec(pathname);
  if (!m) return undefined;
  let key: string;
  try {
    key = m[2]!.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
  // An encoded '/' inside a segment would make a different key than the one that was signed.
  if (m[2]!.split('/').some((s) => /%2f/i.test(s)) || !isSafeKey(key)) return undefined;
  return { token: m[1]!, key };
}
