/**
 * The front of the playback benchmark: Node's requests reach the playback Worker over RPC as the
 * gateway makes them (`handle(routeId, input, caller)`), the gateway app's stream endpoint and the
 * bare R2 Worker over service bindings; `/none` is the same request making no call.
 */
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Env {
  PLAYBACK: {
    handle(routeId: string, input: unknown, caller: unknown): Promise<Reply>;
    contentKeyForJob(videoId: string): Promise<{ keyId: string }>;
  };
  GATEWAY: Fetcher;
  BARE: Fetcher;
  MEDIA: R2Bucket;
  SEGMENT_BYTES: string;
}

const VIDEO = 'vid_bench';
const PREFIX = `renditions/${VIDEO}/job_1/`;

const caller = (userId: string) => ({
  requestId: crypto.randomUUID(),
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  ip: '203.0.113.7',
  userId,
  roles: ['viewer'],
  origin: 'https://bench.example',
});

async function call(env: Env, routeId: string, input: Record<string, unknown>, userId: string) {
  const reply = await env.PLAYBACK.handle(
    routeId,
    { params: {}, query: {}, body: undefined, headers: {}, ...input },
    caller(userId),
  );
  return Response.json(reply.body ?? null, { status: reply.status, headers: reply.headers });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const q = (name: string) => url.searchParams.get(name) ?? '';
    const user = `usr_bench_${q('u') || '0'}`;
    switch (url.pathname) {
      case '/none':
        return new Response('ok');
      case '/setup': {
        // Random bytes: nothing on the way may shrink them.
        const bytes = new Uint8Array(Number(env.SEGMENT_BYTES));
        for (let i = 0; i < bytes.length; i += 65536)
          crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, bytes.length)));
        await env.MEDIA.put(`${PREFIX}1080p/seg_00001.m4s`, bytes);
        await env.MEDIA.put(
          `${PREFIX}master.m3u8`,
          '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080\n1080p/index.m3u8\n',
        );
        const { keyId } = await env.PLAYBACK.contentKeyForJob(VIDEO);
        return Response.json({ keyId, segment: `${PREFIX}1080p/seg_00001.m4s` });
      }
      case '/manifest':
        return call(env, 'playback.manifest', { params: { videoId: VIDEO } }, user);
      case '/license':
        return call(env, 'playback.license', { body: JSON.parse(q('body')) }, user);
    }
    if (url.pathname.startsWith('/stream/')) {
      // Through the gateway app as production receives it (HTTPS, so no upgrade redirect).
      const target = new URL(url.pathname + url.search, 'https://bench.example');
      return env.GATEWAY.fetch(new Request(target, request));
    }
    if (url.pathname.startsWith('/bare/')) return env.BARE.fetch(request);
    return new Response('no such bench path', { status: 404 });
  },
};
