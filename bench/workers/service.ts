import { WorkerEntrypoint } from 'cloudflare:workers';

/** The service side of the gateway benchmark: answers every route and serves the bench JWKS. */
export default class BenchService extends WorkerEntrypoint<{ JWKS: string }> {
  async handle(routeId: string, input: { params: Record<string, string> }, caller: { userId?: string }) {
    return { status: 200, body: { routeId, id: input.params.id ?? null, user: caller.userId ?? null } };
  }
  async jwks() {
    return JSON.parse(this.env.JWKS);
  }
  async verifyApiKey() {
    return null;
  }
  /** No account has revoked anything; the gateway asks once per account every few seconds. */
  async tokensNotBefore() {
    return 0;
  }
  async ready() {
    return { ok: true, checks: {} };
  }
}
