/**
 * PlaybackFailed events (analytics): a playback that could not start or go on, whether the platform
 * refused it (no entitlement, the stream limit, a license server down) or the player reported it.
 */
import type { Caller, WorkContext } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { Problem } from '../../../lib/problem.ts';
import type { Env } from './config.ts';
import { publishEvent } from './outbox.ts';

/**
 * Refusals worth counting: the ones naming a reason, once the video is known to exist (a 404 or a
 * malformed request is no playback failure).
 */
const COUNTED = new Set([400, 403, 429, 501, 502, 503, 504]);

export async function recordPlaybackFailure(
  env: Env,
  ctx: WorkContext,
  caller: Caller,
  failure: { userId: string; videoId: string; sessionId?: string | undefined; code: string },
): Promise<void> {
  const { sessionId, ...rest } = failure;
  try {
    await publishEvent(
      env,
      ctx,
      'PlaybackFailed',
      failure.videoId,
      { ...rest, ...(sessionId ? { sessionId } : {}) },
      caller.traceparent,
    );
  } catch (err) {
    // The refusal itself is what the viewer must get; a lost event must not replace it.
    log('error', 'could not record PlaybackFailed', { videoId: failure.videoId, ...errorFields(err) });
  }
}

/** Runs a playback grant; a refusal naming a reason is recorded as PlaybackFailed, then rethrown. */
export async function reportingRefusals<T>(
  env: Env,
  ctx: WorkContext,
  caller: Caller,
  subject: { userId: string; videoId: string; sessionId?: string | undefined },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const reason = err instanceof Problem ? err.extensions.reason : undefined;
    if (err instanceof Problem && typeof reason === 'string' && COUNTED.has(err.status))
      await recordPlaybackFailure(env, ctx, caller, { ...subject, code: reason });
    throw err;
  }
}
