/** Helpers of the license tests: ClearKey requests, the stand-in billing's switch, the fake server. */
import { env } from 'cloudflare:workers';
import { LICENSE_SERVER_ORIGIN } from './license-server-origin.ts';

export function b64(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function unb64(text: string): Uint8Array {
  const t = text.replaceAll('-', '+').replaceAll('_', '/');
  return Uint8Array.from(atob(t + '='.repeat((4 - (t.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Sets a user's entitlement in the stand-in billing Worker: a plan, or a reason for none. */
export async function entitle(
  userId: string,
  maxResolution: number,
  maxStreams = 2,
  untilMs?: number,
): Promise<void> {
  await (env.BILLING as unknown as StandInBilling).setEntitlementForTest(
    userId,
    maxResolution,
    maxStreams,
    undefined,
    untilMs,
  );
}
export async function disentitle(userId: string, reason: string): Promise<void> {
  await (env.BILLING as unknown as StandInBilling).setEntitlementForTest(userId, 0, 0, reason);
}
interface StandInBilling {
  setEntitlementForTest(
    userId: string,
    maxResolution: number,
    maxStreams: number,
    reason?: string,
    untilMs?: number,
  ): Promise<void>;
}

export type LicenseServerMode = 'ok' | 'no-store' | 'fail' | 'reject' | 'refuse' | 'slow' | 'empty';

export interface ReceivedLicenseRequest {
  system: string;
  status: number;
  claims: Record<string, unknown> & { sub: string; vid: string; aud: string; exp: number };
  challenge: string;
  contentType: string;
  requestId: string;
}

/** Sets the fake license server's behaviour and forgets what it received. */
export async function licenseServer(mode: LicenseServerMode): Promise<void> {
  const res = await fetch(`${LICENSE_SERVER_ORIGIN}/_control/mode`, {
    method: 'POST',
    body: JSON.stringify({ mode }),
  });
  if (res.status !== 204) throw new Error(`the fake license server answered ${res.status}`);
}

export async function licenseServerRequests(): Promise<ReceivedLicenseRequest[]> {
  return (await fetch(`${LICENSE_SERVER_ORIGIN}/_control/requests`)).json();
}
