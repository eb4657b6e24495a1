/**
 * When a failed message is tried again. After attempt n fails, the next waits RETRY_DELAYS_MS[n-1]
 * (the last entry repeating), give or take 10 % jitter so that endpoints that failed together do
 * not retry in lockstep:
 *
 *   attempt 1 → +5 s → 2 → +5 min → 3 → +30 min → 4 → +2 h → 5 → +5 h → 6 → +10 h → 7 → +10 h → …
 *
 * A retry is scheduled only while it falls within RETRY_WINDOW_MS (3 days) of the message's first
 * attempt: 12 attempts, the last about 68 h after the first. Then the message is marked failed and
 * the queue moves on; it stays in the delivery log and can be redelivered by hand.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR] as const;
export const RETRY_WINDOW_MS = 72 * HOUR;
const JITTER = 0.1;

/** The wait after `attempt` (1-based) failed; `random` in [0, 1). */
export function retryDelay(attempt: number, random = Math.random()): number {
  const base = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

/** Whether a message first tried at `firstAttemptAt` may be tried again at `at`. */
export function withinRetryWindow(firstAttemptAt: number, at: number): boolean {
  return at - firstAttemptAt <= RETRY_WINDOW_MS;
}
