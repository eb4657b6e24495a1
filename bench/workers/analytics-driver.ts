/**
 * The analytics benchmark's front door, inside workerd: it does what the gateway does for
 * `POST /events` (parse the JSON, validate it with the route's own schema) and calls the analytics
 * Worker over RPC, which queues the batch; the queue hands it to the analytics consumer, which
 * inserts into ClickHouse. Token checks and rate limits are the gateway benchmark's subject.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { ingestEvents } from '../../workers/services/analytics/src/contract/events.ts';

interface Analytics {
  handle(routeId: string, input: unknown, caller: unknown): Promise<{ status: number; problem?: unknown }>;
  consumerTimings(): Promise<Record<string, number>>;
}

interface Env {
  ANALYTICS: Analytics;
}

const schema = ingestEvents.route.request.body.content['application/json'].schema;
const caller = {
  requestId: 'bench',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  ip: '127.0.0.1',
  roles: ['admin'],
  userId: 'usr_bench',
  origin: 'http://bench.test',
};

export default class AnalyticsDriver extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/healthz') return new Response('ok');
    if (url.pathname === '/timings') return Response.json(await this.env.ANALYTICS.consumerTimings());
    if (url.pathname === '/events' && request.method === 'POST') {
      const parsed = schema.safeParse(await request.json());
      if (!parsed.success) return Response.json(parsed.error.issues.slice(0, 3), { status: 400 });
      const reply = await this.env.ANALYTICS.handle(
        'analytics.ingest',
        { params: {}, query: {}, body: parsed.data, headers: {} },
        caller,
      );
      return Response.json(reply.problem ?? {}, { status: reply.status });
    }
    return new Response('not found', { status: 404 });
  }
}
