/**
 * The tests' way out of workerd (runs in vitest's Node process, as miniflare's outboundService):
 * `http://clickhouse.test` reaches a private ClickHouse server (scripts/clickhouse.ts), started on
 * first use and stopped when the run ends; `http://clickhouse-control.test/stop|start` stops and
 * restarts that very server, for the outage tests. Nothing else is reachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClickHouseServer, startClickHouse } from '../../../../../scripts/clickhouse.ts';

let server: Promise<ClickHouseServer> | undefined;

function clickhouse(): Promise<ClickHouseServer> {
  server ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'analytics-clickhouse-'));
    const s = await startClickHouse({ dir });
    process.once('exit', () => {
      void s.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return s;
  })();
  return server;
}

export async function clickHouseOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === 'clickhouse-control.test') {
    const s = await clickhouse();
    if (url.pathname === '/stop') await s.stop();
    else if (url.pathname === '/start') await s.start();
    else return new Response('unknown control', { status: 404 });
    return new Response('ok');
  }
  if (url.hostname === 'clickhouse.test') {
    const s = await clickhouse();
    const target = `${s.url}${url.pathname}${url.search}`;
    try {
      return await fetch(target, {
        method: request.method,
        headers: request.headers,
        body: request.body ? await request.arrayBuffer() : null,
      });
    } catch {
      // As a down server looks to the Worker in production: the connection is refused.
      return Response.error();
    }
  }
  return new Response(`tests have no network (${url.host})`, { status: 599 });
}
