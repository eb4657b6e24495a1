/**
 * Workers KV for raw workerd, in memory: workerd's `kvNamespace` binding speaks HTTP to a service
 * (GET/PUT/DELETE of `/<url-encoded key>`, the TTL in `expiration_ttl`), which this Worker answers
 * from a Map with expiry. Like local KV it runs in the same process; production KV adds a network
 * hop on a miss at the edge location.
 */
const store = new Map<string, { value: ArrayBuffer; expires: number }>();

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const key = decodeURIComponent(url.pathname.slice(1));
    const now = Date.now();
    if (request.method === 'PUT') {
      const ttl = Number(url.searchParams.get('expiration_ttl') ?? 0);
      const at = Number(url.searchParams.get('expiration') ?? 0);
      const expires = ttl ? now + ttl * 1000 : at ? at * 1000 : Number.POSITIVE_INFINITY;
      store.set(key, { value: await request.arrayBuffer(), expires });
      return new Response(null, { status: 200 });
    }
    if (request.method === 'DELETE') {
      store.delete(key);
      return new Response(null, { status: 200 });
    }
    const hit = store.get(key);
    if (!hit || hit.expires <= now) {
      store.delete(key);
      return new Response(null, { status: 404 });
    }
    return new Response(hit.value);
  },
};
