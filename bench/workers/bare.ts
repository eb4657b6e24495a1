/** Baseline (a): a bare Worker answering with one RPC hop to the same service, no gateway. */
interface Env {
  SVC: {
    handle(routeId: string, input: unknown, caller: unknown): Promise<{ status: number; body: unknown }>;
  };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const id = new URL(request.url).pathname.split('/').pop() ?? '';
    const reply = await env.SVC.handle(
      'bench.get',
      { params: { id }, query: {}, body: undefined, headers: {} },
      {
        requestId: crypto.randomUUID(),
        roles: [],
      },
    );
    return Response.json(reply.body, { status: reply.status });
  },
};
