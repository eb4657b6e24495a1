import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import { type Env, settings } from '../config.ts';
import { type DrmSystem, issueLicense, KEY_SYSTEMS } from '../contract.ts';
import { grantPlayback } from '../entitlement.ts';
import { reportingRefusals } from '../failures.ts';
import { licenseCache } from '../licenses/cache.ts';
import { clearKeyLicense } from '../licenses/clearkey.ts';
import { proxiedLicense } from '../licenses/proxy.ts';
import { parseChallenge, parseClearKeyRequest } from '../licenses/request.ts';
import { sessionsOf, streamLimitProblem } from '../sessions.ts';

/** The system a request names by `system` or by its EME `keySystem` (they must agree); ClearKey by default. */
function systemOf(system: DrmSystem | undefined, keySystem: string | undefined): DrmSystem {
  if (keySystem === undefined) return system ?? 'clearkey';
  const named = KEY_SYSTEMS[keySystem];
  if (!named)
    throw Problem.badRequest('Unknown key system.', [
      { path: 'keySystem', message: `one of ${Object.keys(KEY_SYSTEMS).join(', ')}` },
    ]);
  if (system && system !== named)
    throw Problem.badRequest('`system` and `keySystem` disagree.', [
      { path: 'keySystem', message: `${keySystem} is ${named}, not ${system}` },
    ]);
  return named;
}

export const licenseHandler = implement(issueLicense, async (input, caller, env: Env, ctx) => {
  const userId = caller.userId;
  if (!userId) throw Problem.unauthorized();
  const { videoId, licenseRequest, sessionId } = input.body;
  const system = systemOf(input.body.system, input.body.keySystem);
  // Malformed requests fail before any other work.
  const clearKey = system === 'clearkey' ? parseClearKeyRequest(licenseRequest) : null;
  const challenge = system === 'clearkey' ? null : parseChallenge(licenseRequest);

  const issued = await reportingRefusals(env, ctx, caller, { userId, videoId, sessionId }, async () => {
    const grant = await grantPlayback(env, userId, videoId);
    if (sessionId) {
      const opened = await sessionsOf(env, userId).open(
        userId,
        sessionId,
        videoId,
        grant.entitlement.maxStreams,
      );
      if (!opened.ok) throw streamLimitProblem(opened.limit);
    }
    // A license ends with the entitlement when that ends by itself (period end, grace).
    const now = Date.now();
    const until = grant.entitlement.until ? Date.parse(grant.entitlement.until) : Number.POSITIVE_INFINITY;
    const expiresAt = new Date(Math.min(now + settings(env).LICENSE_TTL_SEC * 1000, until)).toISOString();
    // The cache is keyed by viewer and plan as well as key: whatever changes the grant misses it.
    const scope = [userId, videoId, grant.entitlement.planId ?? '', String(grant.maxHeight)];
    const cache = licenseCache(env);
    return clearKey
      ? clearKeyLicense(env, cache, scope, videoId, clearKey, expiresAt)
      : proxiedLicense(env, cache, scope, system as Exclude<DrmSystem, 'clearkey'>, challenge!, expiresAt, {
          userId,
          grant,
          ...(sessionId ? { sessionId } : {}),
          requestId: caller.requestId,
          traceparent: caller.traceparent,
        });
  });
  return json(
    200,
    { licenseResponse: issued.licenseResponse as string, system, expiresAt: issued.expiresAt },
    { 'Cache-Control': 'no-store', 'X-License-Cache': issued.cached ? 'hit' : 'miss' },
  );
});
