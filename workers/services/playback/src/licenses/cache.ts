/**
 * Issued licenses, cached per viewer and key (per challenge for the proxied systems) for their
 * lifetime, in the Cache API of the data centre. The cache sits behind the entitlement check, never
 * in front of it: a viewer who lost the entitlement is refused before the cache is asked, and the
 * plan is part of the key so a plan change misses. A ClearKey license holds keys in clear, so every
 * entry is sealed (AES-GCM, bound to its cache key) under the current CONTENT_KEY_MASTER key: the
 * cache holds nothing a reader without the secret can open.
 */
import type { Env } from '../config.ts';
import { masterKeys } from '../keys.ts';
import { decodeBase64, encodeBase64 } from './request.ts';

export interface CachedLicense {
  /** The license response exactly as answered. */
  licenseResponse: unknown;
  expiresAt: string;
}

export interface LicenseCache {
  get(parts: string[]): Promise<CachedLicense | null>;
  put(parts: string[], license: CachedLicense): Promise<void>;
}

const encoder = new TextEncoder();

async function cacheUrl(parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(parts.join('\n')));
  return `https://license-cache.internal/${encodeBase64(new Uint8Array(digest)).replaceAll('/', '_').replaceAll('+', '-')}`;
}

interface Sealed {
  v: number;
  iv: string;
  data: string;
}

/** The Cache API store; without a Cache API (or a keyring) nothing is cached. */
export function licenseCache(env: Env): LicenseCache {
  const cache = (globalThis as unknown as { caches?: { default: Cache } }).caches?.default;
  return {
    async get(parts) {
      if (!cache) return null;
      const url = await cacheUrl(parts);
      const hit = await cache.match(url);
      if (!hit) return null;
      try {
        const sealed = (await hit.json()) as Sealed;
        const master = (await masterKeys(env)).find((m) => m.version === sealed.v);
        if (!master) return null;
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: decodeBase64(sealed.iv)!, additionalData: encoder.encode(url) },
          master.key,
          decodeBase64(sealed.data)!,
        );
        const license = JSON.parse(new TextDecoder().decode(plain)) as CachedLicense;
        return Date.parse(license.expiresAt) > Date.now() ? license : null;
      } catch {
        return null;
      }
    },
    async put(parts, license) {
      const ttl = Math.floor((Date.parse(license.expiresAt) - Date.now()) / 1000);
      if (!cache || ttl < 1) return;
      const url = await cacheUrl(parts);
      const [master] = await masterKeys(env);
      if (!master) return;
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(url) },
        master.key,
        encoder.encode(JSON.stringify(license)),
      );
      const sealed: Sealed = {
        v: master.version,
        iv: encodeBase64(iv),
        data: encodeBase64(new Uint8Array(data)),
      };
      await cache.put(
        url,
        new Response(JSON.stringify(sealed), {
          headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${ttl}` },
        }),
      );
    },
  };
}
