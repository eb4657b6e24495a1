/**
 * Self-contained signed tokens, the format of storage and stream URLs:
 * `<base64url(JSON payload)>.<base64url(HMAC-SHA256(domain + payload))>`. The domain keeps one
 * kind of token from passing as another under the same secret; verification checks the MAC in
 * constant time (crypto.subtle.verify), then the payload's schema, then `exp` (Unix seconds).
 */
import type { z } from 'zod';
import { base64url } from './ids.ts';

export type TokenDenial = 'malformed' | 'bad_signature' | 'expired';

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string, secretName: string): Promise<CryptoKey> {
  if (!secret) throw new Error(`${secretName} is not set`);
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

export interface SignedTokenKind<S extends z.ZodType<{ exp: number }>> {
  /** Prefixed to the payload before signing, e.g. `storage-url.v1.`. */
  domain: string;
  /** The setting that holds the secret, for the error when it is unset. */
  secretName: string;
  schema: S;
  /** What the denial messages call the token: `The <noun> token is malformed.` */
  noun: string;
  /** Longer tokens are malformed without further work. */
  maxLength?: number;
  deny: (reason: TokenDenial, message: string) => Error;
}

export function signedTokens<S extends z.ZodType<{ exp: number }>>(kind: SignedTokenKind<S>) {
  const malformed = () => kind.deny('malformed', `The ${kind.noun} token is malformed.`);

  function fromBase64url(s: string): Uint8Array {
    // A length of 1 mod 4 is no base64 at all: atob would throw, and a thrown error is a 500.
    if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw malformed();
    const b64 = s.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (s.length % 4)) % 4);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function sign(secret: string, claims: z.input<S>): Promise<string> {
    const payload = base64url(encoder.encode(JSON.stringify(kind.schema.parse(claims))));
    const key = await hmacKey(secret, kind.secretName);
    const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(kind.domain + payload));
    return `${payload}.${base64url(new Uint8Array(mac))}`;
  }

  async function verify(secret: string, token: string, nowSec = Date.now() / 1000): Promise<z.output<S>> {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined || (kind.maxLength && token.length > kind.maxLength))
      throw malformed();
    const key = await hmacKey(secret, kind.secretName);
    const ok = await crypto.subtle.verify(
      'HMAC',
      key,
      fromBase64url(mac),
      encoder.encode(kind.domain + payload),
    );
    if (!ok) throw kind.deny('bad_signature', `The ${kind.noun} URL signature is invalid.`);
    let claims: z.output<S>;
    try {
      claims = kind.schema.parse(JSON.parse(new TextDecoder().decode(fromBase64url(payload))));
    } catch {
      throw malformed();
    }
    if (claims.exp <= nowSec) throw kind.deny('expired', `The ${kind.noun} URL has expired.`);
    return claims;
  }

  return { sign, verify };
}
