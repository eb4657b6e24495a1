/**
 * W3C EME ClearKey licenses, answered from the key store: the JSON Web Key Set of the requested
 * keys, each of which must be one of the video's own (https://www.w3.org/TR/encrypted-media/#clear-key).
 */
import { base64url } from '../../../../lib/ids.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { contentKey, videoKeyIds } from '../keys.ts';
import type { LicenseCache } from './cache.ts';
import type { ClearKeyRequest } from './request.ts';
import { encodeBase64 } from './request.ts';

export interface JsonWebKeySet {
  keys: { kty: 'oct'; kid: string; k: string }[];
  type: 'temporary';
}

export interface Issued {
  licenseResponse: unknown;
  /** When the license ends: a cached key keeps the end it was issued with. */
  expiresAt: string;
  cached: boolean;
}

/**
 * The license for `request.kids` of `videoId`. Each key comes from the cache entry of (viewer, key,
 * `scope`) while it lives, else from the key store.
 */
export async function clearKeyLicense(
  env: Env,
  cache: LicenseCache,
  scope: string[],
  videoId: string,
  request: ClearKeyRequest,
  expiresAt: string,
): Promise<Issued> {
  if (request.type !== 'temporary')
    throw new Problem('forbidden', 'Licenses are for streaming only; offline licenses are not offered.', {
      extensions: { reason: 'persistent_license_not_allowed' },
    });
  const own = new Map((await videoKeyIds(env, videoId)).map((k) => [k.kid, k.keyId]));
  const unknown = request.kids.filter((kid) => !own.has(kid));
  if (unknown.length)
    throw new Problem('not_found', `Video ${videoId} has no key ${unknown.join(', ')}.`, {
      extensions: { unknownKids: unknown },
    });
  let cached = true;
  let ends = expiresAt;
  const keys = await Promise.all(
    request.kids.map(async (kid) => {
      const parts = [...scope, 'clearkey', kid];
      const hit = await cache.get(parts);
      if (hit && typeof hit.licenseResponse === 'string') {
        if (hit.expiresAt < ends) ends = hit.expiresAt;
        return { kty: 'oct' as const, kid, k: hit.licenseResponse };
      }
      cached = false;
      const key = await contentKey(env, videoId, own.get(kid)!);
      if (!key) throw Problem.notFound(`Video ${videoId} has no key ${kid}.`);
      const k = base64url(key);
      await cache.put(parts, { licenseResponse: k, expiresAt }).catch(() => undefined);
      return { kty: 'oct' as const, kid, k };
    }),
  );
  const set: JsonWebKeySet = { keys, type: 'temporary' };
  return {
    licenseResponse:
      request.encoding === 'json' ? set : encodeBase64(new TextEncoder().encode(JSON.stringify(set))),
    expiresAt: ends,
    cached,
  };
}
