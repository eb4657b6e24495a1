/**
 * The auth service's current private signing key, read from the platform's local D1 file and
 * unwrapped with this run's KEY_ENCRYPTION_KEY (as the service does). With it a test can mint a
 * token that is genuine in every respect but the one under attack (expiry, issuer, audience), so
 * the gateway's refusal proves that one check rather than the signature check.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type CryptoKey, importJWK, type JWK, SignJWT } from 'jose';
import { inject } from 'vitest';
import { unwrap, wrappingKey } from '../../../workers/services/auth/src/key-wrap.ts';

export interface GenuineKey {
  kid: string;
  privateKey: CryptoKey;
}

export async function genuineSigningKey(): Promise<GenuineKey> {
  const dir = path.join(inject('stateDir'), 'v3', 'd1', 'miniflare-D1DatabaseObject');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')) {
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'signing_keys'").get()) continue;
      const row = db
        .prepare("SELECT kid, private_jwk_wrapped FROM signing_keys WHERE status = 'current'")
        .get() as { kid: string; private_jwk_wrapped: string } | undefined;
      if (!row) continue;
      const kek = await wrappingKey(inject('secrets').KEY_ENCRYPTION_KEY);
      const jwk = JSON.parse(await unwrap(kek, row.kid, row.private_jwk_wrapped)) as JWK;
      return { kid: row.kid, privateKey: (await importJWK(jwk, 'RS256')) as CryptoKey };
    } finally {
      db.close();
    }
  }
  throw new Error('no current signing key in the local auth database');
}

export interface MintOptions {
  sub: string;
  roles?: string[];
  iss?: string;
  aud?: string;
  /** Seconds from now (negative: in the past). */
  expiresIn?: number;
  issuedAgo?: number;
}

/** An RS256 token signed with `key`; issuer and audience default to the platform's. */
export async function mint(key: GenuineKey, o: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: o.roles ?? ['viewer'] })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
    .setSubject(o.sub)
    .setIssuer(o.iss ?? 'edge-video-auth')
    .setAudience(o.aud ?? 'edge-video-api')
    .setIssuedAt(now - (o.issuedAgo ?? 0))
    .setExpirationTime(now + (o.expiresIn ?? 300))
    .sign(key.privateKey);
}
