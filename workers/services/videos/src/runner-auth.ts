import type { RouteInput } from '../../../lib/api.ts';
import { Problem } from '../../../lib/problem.ts';

const encoder = new TextEncoder();

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(s));
}

/**
 * Runner routes carry the runner token, which the gateway forwards untouched: compare it with
 * RUNNER_TOKEN in constant time (over digests, so the lengths match too). A user's access token is
 * just another wrong runner token here.
 */
export async function requireRunner(
  input: Pick<RouteInput, 'headers'>,
  runnerToken: string | undefined,
): Promise<void> {
  if (!runnerToken) throw new Problem('service_unavailable', 'No runner token is configured.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(input.headers.authorization ?? '');
  if (!m)
    throw Problem.unauthorized(
      'Runner routes need "Authorization: Bearer <runner token>".',
      'invalid_request',
    );
  const [given, expected] = await Promise.all([digest(m[1]!), digest(runnerToken)]);
  if (!crypto.subtle.timingSafeEqual(given, expected))
    throw Problem.unauthorized('The runner token is invalid.');
}
