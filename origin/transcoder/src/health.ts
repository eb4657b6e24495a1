/**
 * GET /healthz for the container healthcheck. An unreachable videos API is reported in the body but
 * does not fail the check: restarting the container cannot fix the API, and the loop already backs off.
 */
import { createServer, type Server } from 'node:http';
import type { RunnerStatus } from './runner.ts';

export function startHealthServer(port: number, status: () => RunnerStatus): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const body = status();
    // Stopped means the process is about to exit: let the orchestrator see it.
    res.writeHead(body.state === 'stopped' ? 503 : 200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
