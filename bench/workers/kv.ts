/** A minimal KV backend for raw workerd: every key is absent, writes are accepted. */
export default {
  async fetch(request: Request): Promise<Response> {
    return request.method === 'GET'
      ? new Response(null, { status: 404 })
      : new Response(null, { status: 200 });
  },
};
