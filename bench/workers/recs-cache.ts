/**
 * The Cache API's backend for raw workerd (its `cacheApiOutbound`), in memory: workerd sends
 * `cache.put` as a PUT whose body is the serialized HTTP response and `cache.match` as a GET it
 * expects the stored response for (with `CF-Cache-Status: HIT`), or a miss. Entries expire by the
 * stored response's `max-age`, as the edge cache does.
 */
interface Entry {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  expires: number;
}

const entries = new Map<string, Entry>();
const keyOf = (request: Request) => `${request.headers.get('cf-cache-namespace') ?? ''} ${request.url}`;

function indexOf(bytes: Uint8Array, seq: number[], from = 0): number {
  outer: for (let i = from; i <= bytes.length - seq.length; i++) {
    for (let j = 0; j < seq.length; j++) if (bytes[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = [13, 10];

/** The body of a chunked HTTP message. */
function unchunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const eol = indexOf(bytes, CRLF, at);
    const size = Number.parseInt(new TextDecoder().decode(bytes.subarray(at, eol)), 16);
    if (!size) break;
    parts.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function parse(bytes: Uint8Array): Omit<Entry, 'expires'> & { maxAge: number } {
  const end = indexOf(bytes, [13, 10, 13, 10]);
  const [statusLine, ...lines] = new TextDecoder().decode(bytes.subarray(0, end)).split('\r\n');
  const headers = lines.map((l) => {
    const c = l.indexOf(':');
    return [l.slice(0, c).trim(), l.slice(c + 1).trim()] as [string, string];
  });
  const header = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  let body = bytes.subarray(end + 4);
  if (header('transfer-encoding').toLowerCase() === 'chunked') body = unchunk(body);
  const maxAge = Number(/max-age=(\d+)/.exec(header('cache-control'))?.[1] ?? 0);
  return { status: Number(statusLine!.split(' ')[1]), headers, body, maxAge };
}

export default {
  async fetch(request: Request): Promise<Response> {
    const key = keyOf(request);
    if (request.method === 'PUT') {
      const r = parse(new Uint8Array(await request.arrayBuffer()));
      if (r.maxAge > 0)
        entries.set(key, {
          status: r.status,
          headers: r.headers,
          body: r.body,
          expires: Date.now() + r.maxAge * 1000,
        });
      return new Response(null, { status: 204 });
    }
    if (request.method === 'PURGE') return new Response(null, { status: entries.delete(key) ? 200 : 404 });
    const hit = entries.get(key);
    if (!hit || hit.expires <= Date.now()) {
      entries.delete(key);
      return new Response(null, { status: 504, headers: { 'cf-cache-status': 'MISS' } });
    }
    const headers = new Headers(hit.headers);
    headers.delete('transfer-encoding');
    headers.set('content-length', String(hit.body.length));
    headers.set('cf-cache-status', 'HIT');
    return new Response(hit.body, { status: hit.status, headers });
  },
};
