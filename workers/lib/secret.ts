/** Secrets presented by callers, checked inside a Worker (workerd's crypto.subtle.timingSafeEqual). */

/** Compares a presented secret with the expected one in constant time (over digests, so lengths match). */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const digest = (s: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
