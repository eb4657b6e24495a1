/**
 * One delivery attempt: a POST with a timeout, redirects not followed (a 3xx is a failure, so a
 * receiver cannot bounce the request to an internal host), and only the first KiB of the answer
 * kept for the log.
 */
export const RESPONSE_LOG_BYTES = 1024;
const USER_AGENT = 'EdgeVideo-Webhooks/1.0';

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

async function head(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes) + (size > limit ? '…' : '');
}

export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body,
      redirect: 'manual',
      signal,
    });
    const responseBody = await head(res, RESPONSE_LOG_BYTES);
    const ok = res.status >= 200 && res.status < 300;
    const redirected = res.status >= 300 && res.status < 400;
    return {
      ok,
      statusCode: res.status,
      durationMs: Date.now() - started,
      error: ok
        ? null
        : redirected
          ? `redirect to ${res.headers.get('location') ?? '(no location)'} not followed`
          : `HTTP ${res.status}`,
      responseBody,
    };
  } catch (err) {
    const timedOut = signal.aborted;
    return {
      ok: false,
      statusCode: null,
      durationMs: Date.now() - started,
      error: timedOut ? `timed out after ${timeoutMs} ms` : `request failed: ${(err as Error).message}`,
      responseBody: null,
    };
  }
}
