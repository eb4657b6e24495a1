/**
 * Reading a license request's `licenseRequest`: the ClearKey JSON (as an object or as the base64 of
 * the bytes an EME `message` event carries) or another system's binary challenge in base64. Anything
 * else is the client's mistake: a 400 naming the field.
 */
import { z } from 'zod';
import { fieldErrors, Problem } from '../../../../lib/problem.ts';

const FIELD = 'licenseRequest';

function malformed(message: string): Problem {
  return Problem.badRequest('The license request is malformed.', [{ path: FIELD, message }]);
}

/** Bytes of standard or URL-safe base64 (padding optional), or null when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const t = text.trim();
  if (!t || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return null;
  const b64 = t.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  if (b64.length % 4 === 1) return null;
  try {
    return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A KID: 16 bytes in base64url without padding, as W3C ClearKey writes them. */
const Kid = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, 'a key id is 16 bytes in base64url without padding')
  .refine((k) => decodeBase64(k)?.length === 16, 'a key id is 16 bytes');

const ClearKeyRequest = z.object({
  kids: z.array(Kid).min(1).max(16),
  type: z.enum(['temporary', 'persistent-license']).default('temporary'),
});

export interface ClearKeyRequest {
  kids: string[];
  type: 'temporary' | 'persistent-license';
  /** How the request came, so the license answers the same way. */
  encoding: 'json' | 'base64';
}

export function parseClearKeyRequest(raw: unknown): ClearKeyRequest {
  let value: unknown = raw;
  let encoding: ClearKeyRequest['encoding'] = 'json';
  if (typeof raw === 'string') {
    const bytes = decodeBase64(raw);
    if (!bytes) throw malformed('a ClearKey request is a JSON object or the base64 of its UTF-8 bytes');
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    } catch {
      throw malformed('the base64 does not hold a JSON ClearKey request');
    }
    encoding = 'base64';
  }
  const parsed = ClearKeyRequest.safeParse(value);
  if (!parsed.success) {
    throw Problem.badRequest('The license request is malformed.', fieldErrors(parsed.error.issues, FIELD));
  }
  return { kids: [...new Set(parsed.data.kids)], type: parsed.data.type, encoding };
}

/** The CDM's binary challenge of a proxied system. */
export function parseChallenge(raw: unknown): Uint8Array {
  if (typeof raw !== 'string') throw malformed('the challenge of this system is base64 text');
  const bytes = decodeBase64(raw);
  if (!bytes?.length) throw malformed('the challenge is not base64');
  return bytes;
}
