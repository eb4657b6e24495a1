/**
 * An OAuth sign-in between /start and /callback. `state`, the PKCE verifier and the OIDC nonce are
 * kept server-side (state only as its SHA-256) with a short expiry, and the flow is bound to the
 * browser that started it by a random cookie whose SHA-256 is stored with it. The callback spends
 * the flow with one conditional UPDATE, so a state works once.
 */
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { base64url, randomToken, sha256Hex } from '../../../../lib/ids.ts';
import type { Db } from '../db/client.ts';
import { type OAuthFlowRow, type OAuthProviderName, oauthFlows } from '../db/schema.ts';

export const BINDING_COOKIE = 'evo_oauth';
const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface StartedFlow {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** The cookie value to set (the browser's existing one when it has a valid one). */
  binding: string;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bindingCookie(binding: string, origin: string, maxAgeSec: number): string {
  const secure = origin.startsWith('https:') ? '; Secure' : '';
  // Lax: the provider sends the browser back with a top-level GET from another site.
  return `${BINDING_COOKIE}=${binding}; Path=/auth/oauth; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Lax${secure}`;
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export async function startFlow(
  db: Db,
  provider: OAuthProviderName,
  opts: { cookieHeader?: string | undefined; redirectUri?: string | undefined; ttlMs: number },
  now = Date.now(),
): Promise<StartedFlow> {
  const existing = readCookie(opts.cookieHeader, BINDING_COOKIE);
  // Several tabs may sign in at once: they share the browser's binding.
  const binding = existing && BINDING_SHAPE.test(existing) ? existing : randomToken(32);
  const state = randomToken(32);
  const codeVerifier = randomToken(48);
  const nonce = randomToken(24);
  await db.insert(oauthFlows).values({
    stateHash: await sha256Hex(state),
    provider,
    codeVerifier,
    nonce,
    browserBindingHash: await sha256Hex(binding),
    redirectUri: opts.redirectUri ?? null,
    createdAt: now,
    expiresAt: now + opts.ttlMs,
  });
  return { state, nonce, codeChallenge: await pkceChallenge(codeVerifier), binding };
}

export type SpendOutcome =
  | { ok: true; flow: OAuthFlowRow }
  | { ok: false; reason: 'unknown_state' | 'foreign_browser' };

/** Spends the flow named by `state`; it must be this provider's, unexpired, unused, and this browser's. */
export async function spendFlow(
  db: Db,
  provider: OAuthProviderName,
  state: string,
  cookieHeader: string | undefined,
  now = Date.now(),
): Promise<SpendOutcome> {
  const [flow] = await db
    .update(oauthFlows)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthFlows.stateHash, await sha256Hex(state)),
        eq(oauthFlows.provider, provider),
        isNull(oauthFlows.usedAt),
        gt(oauthFlows.expiresAt, now),
      ),
    )
    .returning();
  if (!flow) return { ok: false, reason: 'unknown_state' };
  const binding = readCookie(cookieHeader, BINDING_COOKIE);
  if (!binding || (await sha256Hex(binding)) !== flow.browserBindingHash)
    return { ok: false, reason: 'foreign_browser' };
  return { ok: true, flow };
}

export async function purgeExpiredFlows(db: Db, now = Date.now()) {
  await db.delete(oauthFlows).where(lt(oauthFlows.expiresAt, now));
}
