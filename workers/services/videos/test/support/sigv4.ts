/**
 * An independent AWS Signature Version 4 verifier, written from AWS's documentation (not from the
 * SDK), with WebCrypto only so it runs in workerd and in Node. It checks what the SDK signs for R2:
 * presigned URLs (query auth) and signed requests (Authorization header).
 */
const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? enc.encode(data) : data));
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case), as SigV4 requires. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(params: [string, string][]): string {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalHeaders(names: string[], headers: Record<string, string>): string {
  return names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
}

interface Parts {
  method: string;
  url: URL;
  query: [string, string][];
  signedHeaders: string[];
  headers: Record<string, string>;
  payloadHash: string;
  amzDate: string;
  scope: string;
}

async function signature(
  p: Parts,
  secretAccessKey: string,
): Promise<{ signature: string; canonicalRequest: string }> {
  const canonicalRequest = [
    p.method,
    p.url.pathname,
    canonicalQuery(p.query),
    canonicalHeaders(p.signedHeaders, { ...p.headers, host: p.url.host }),
    p.signedHeaders.join(';'),
    p.payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', p.amzDate, p.scope, await sha256Hex(canonicalRequest)].join('\n');
  const [date, region, service] = p.scope.split('/') as [string, string, string];
  let key = await hmac(enc.encode(`AWS4${secretAccessKey}`), date);
  for (const part of [region, service, 'aws4_request']) key = await hmac(key, part);
  return { signature: hex(await hmac(key, stringToSign)), canonicalRequest };
}

export interface Verdict {
  ok: boolean;
  accessKeyId: string;
  scope: string;
  expected: string;
  given: string;
}

/** Checks a presigned URL as the server would for a request with these (lower-cased) headers. */
export async function verifyPresignedUrl(
  method: string,
  rawUrl: string,
  headers: Record<string, string>,
  secretAccessKey: string,
): Promise<Verdict> {
  const url = new URL(rawUrl);
  const given = url.searchParams.get('X-Amz-Signature') ?? '';
  const [accessKeyId, ...scope] = (url.searchParams.get('X-Amz-Credential') ?? '').split('/');
  const { signature: expected } = await signature(
    {
      method,
      url,
      query: [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature'),
      signedHeaders: (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';'),
      headers,
      payloadHash: url.searchParams.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
      amzDate: url.searchParams.get('X-Amz-Date') ?? '',
      scope: scope.join('/'),
    },
    secretAccessKey,
  );
  return { ok: expected === given, accessKeyId: accessKeyId ?? '', scope: scope.join('/'), expected, given };
}

/** Checks a request signed in its Authorization header, including the payload hash against the body. */
export async function verifySignedRequest(
  method: string,
  rawUrl: string,
  headers: Record<string, string>,
  body: Uint8Array,
  secretAccessKey: string,
): Promise<Verdict> {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
    headers.authorization ?? '',
  );
  if (!m) return { ok: false, accessKeyId: '', scope: '', expected: '', given: '' };
  const [accessKeyId, ...scope] = m[1]!.split('/');
  const url = new URL(rawUrl);
  const payloadHash = headers['x-amz-content-sha256'] ?? '';
  const { signature: expected } = await signature(
    {
      method,
      url,
      query: [...url.searchParams.entries()],
      signedHeaders: m[2]!.split(';'),
      headers,
      payloadHash,
      amzDate: headers['x-amz-date'] ?? '',
      scope: scope.join('/'),
    },
    secretAccessKey,
  );
  const bodyOk = payloadHash === 'UNSIGNED-PAYLOAD' || payloadHash === (await sha256Hex(body));
  return {
    ok: bodyOk && expected === m[3],
    accessKeyId: accessKeyId ?? '',
    scope: scope.join('/'),
    expected,
    given: m[3]!,
  };
}
