/**
 * Private signing keys rest in D1 only as AES-256-GCM ciphertext. The wrapping key is derived
 * with HKDF from the KEY_ENCRYPTION_KEY secret; the kid is bound as associated data, so a wrapped
 * key copied onto another row does not decrypt.
 */
import { base64url } from '../../../lib/ids.ts';
import { Problem } from '../../../lib/problem.ts';

const IV_BYTES = 12;

/** An AES-GCM key (spelled this way so the file also type-checks for Node, where e2e tests use it). */
export type WrappingKey = Awaited<ReturnType<typeof crypto.subtle.deriveKey>>;

const derived = new Map<string, Promise<WrappingKey>>();

export function wrappingKey(secret: string | undefined): Promise<WrappingKey> {
  if (!secret || secret.length < 16) {
    return Promise.reject(
      new Problem('service_unavailable', 'Sign-in is unavailable: KEY_ENCRYPTION_KEY is not configured.'),
    );
  }
  let key = derived.get(secret);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, [
        'deriveKey',
      ]);
      return crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: new TextEncoder().encode('edge-video/auth'),
          info: new TextEncoder().encode('signing-key-wrap/v1'),
        },
        material,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      );
    })();
    derived.set(secret, key);
  }
  return key;
}

function fromBase64url(s: string): Uint8Array {
  const b = atob(s.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

export async function wrap(key: WrappingKey, kid: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(kid) },
    key,
    new TextEncoder().encode(plaintext),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return base64url(out);
}

export async function unwrap(key: WrappingKey, kid: string, wrapped: string): Promise<string> {
  const bytes = fromBase64url(wrapped);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: new TextEncoder().encode(kid) },
    key,
    bytes.subarray(IV_BYTES),
  );
  return new TextDecoder().decode(plain);
}
