/**
 * Widevine, PlayReady and FairPlay licenses come from their license servers (one URL per system in
 * the settings); playback only decides whether the viewer may have one. The CDM's challenge goes
 * to the server unchanged as the body (`application/octet-stream`), with a grant in
 * `Authorization: Bearer <JWT>` — HS256 under DRM_PROXY_SECRET, 60 s, audience the system — whose
 * claims say who asks for what and under which policy:
 *   `sub` viewer, `vid` video, `kids` the video's key ids, `sid` playback session (if any),
 *   `policy { planId, maxHeight, maxStreams, persistent: false, licenseDurationSec }`.
 * The server answers the license bytes (2xx), which go back to the player in base64.
 */
import { SignJWT } from 'jose';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import type { DrmSystem } from '../contract.ts';
import type { Grant } from '../entitlement.ts';
import { videoKeyIds } from '../keys.ts';
import type { LicenseCache } from './cache.ts';
import type { Issued } from './clearkey.ts';
import { encodeBase64 } from './request.ts';

export type ProxiedSystem = Exclude<DrmSystem, 'clearkey'>;

export const GRANT_ISSUER = 'edge-video-playback';

function serverOf(env: Env, system: ProxiedSystem): { url: string; secret: string } {
  const s = settings(env);
  const url = {
    widevine: s.WIDEVINE_LICENSE_URL,
    playready: s.PLAYREADY_LICENSE_URL,
    fairplay: s.FAIRPLAY_LICENSE_URL,
  }[system];
  if (!url || !s.DRM_PROXY_SECRET)
    throw new Problem('not_implemented', `${system} licenses are not offered here.`, {
      extensions: { reason: 'drm_system_not_configured', system },
    });
  return { url, secret: s.DRM_PROXY_SECRET };
}

/** How long the server lets its answer be reused: `no-store` etc. none, `max-age` caps it. */
function reusableForSec(cacheControl: string | null): number | null {
  if (!cacheControl) return null;
  if (/\b(no-store|no-cache|private)\b/i.test(cacheControl)) return 0;
  const m = /\bmax-age=(\d+)/i.exec(cacheControl);
  return m ? Number(m[1]) : null;
}

export interface ProxyContext {
  userId: string;
  grant: Grant;
  sessionId?: string;
  requestId: string;
  traceparent: string;
}

export async function proxiedLicense(
  env: Env,
  cache: LicenseCache,
  scope: string[],
  system: ProxiedSystem,
  challenge: Uint8Array,
  expiresAt: string,
  who: ProxyContext,
): Promise<Issued> {
  const { url, secret } = serverOf(env, system);
  // A license answers one CDM challenge; the cache serves that same challenge again (a player's
  // retry), never another one.
  const digest = encodeBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', challenge)));
  const parts = [...scope, system, digest];
  const hit = await cache.get(parts);
  if (hit) return { licenseResponse: hit.licenseResponse, expiresAt: hit.expiresAt, cached: true };

  const { grant } = who;
  const videoId = grant.video.videoId;
  const kids = (await videoKeyIds(env, videoId)).map((k) => k.kid);
  const durationSec = Math.max(1, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  const jwt = await new SignJWT({
    vid: videoId,
    kids,
    ...(who.sessionId ? { sid: who.sessionId } : {}),
    policy: {
      planId: grant.entitlement.planId,
      maxHeight: grant.maxHeight,
      maxStreams: grant.entitlement.maxStreams,
      persistent: false,
      licenseDurationSec: durationSec,
    },
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(GRANT_ISSUER)
    .setAudience(system)
    .setSubject(who.userId)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(secret));

  const timeoutMs = settings(env).DRM_LICENSE_TIMEOUT_MS;
  let res: Response;
  let license: Uint8Array;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: challenge,
      headers: {
        'Content-Type': 'application/octet-stream',
        Authorization: `Bearer ${jwt}`,
        'X-Request-Id': who.requestId,
        traceparent: who.traceparent,
      },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    license = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
      throw new Problem(
        'gateway_timeout',
        `The ${system} license server did not answer within ${timeoutMs} ms.`,
        {
          extensions: { reason: 'license_server_timeout', system },
        },
      );
    throw new Problem('bad_gateway', `The ${system} license server could not be reached.`, {
      extensions: { reason: 'license_server_unreachable', system },
    });
  }
  if (res.status === 400)
    throw new Problem('bad_request', `The ${system} license server rejected the challenge.`, {
      extensions: { reason: 'challenge_rejected', system },
    });
  if (res.status === 403)
    throw new Problem('forbidden', `The ${system} license server refused the license.`, {
      extensions: { reason: 'license_refused', system },
    });
  if (!res.ok || !license.length)
    throw new Problem('bad_gateway', `The ${system} license server failed (${res.status}).`, {
      extensions: { reason: 'license_server_failed', system, upstreamStatus: res.status },
    });

  const reuse = reusableForSec(res.headers.get('cache-control'));
  const ends =
    reuse === null
      ? expiresAt
      : new Date(Math.min(Date.parse(expiresAt), Date.now() + reuse * 1000)).toISOString();
  const licenseResponse = encodeBase64(license);
  if (reuse !== 0) await cache.put(parts, { licenseResponse, expiresAt: ends }).catch(() => undefined);
  return { licenseResponse, expiresAt: ends, cached: false };
}
