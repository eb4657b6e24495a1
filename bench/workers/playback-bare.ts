/** The floor of the stream benchmark: a bare Worker answering `/bare/<key>` straight from R2. */
interface Env {
  MEDIA: R2Bucket;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const key = decodeURIComponent(new URL(request.url).pathname.slice('/bare/'.length));
    const object = await env.MEDIA.get(key);
    if (!object) return new Response(null, { status: 404 });
    return new Response(object.body, {
      headers: { 'Content-Type': 'video/mp4', 'Content-Length': String(object.size) },
    });
  },
};
