/**
 * The tests' way out of workerd (runs in vitest's Node process, as miniflare's outboundService):
 * `http://clickhouse.test` reaches a private ClickHouse server (scripts/clickhouse.ts), started on
 * first use and stopped when the run ends; `http://<name>.clickhouse.test` reaches a server of its
 * own, which `http://<name>.clickhouse-control.test/stop|start` stops and restarts for the outage
 * tests without disturbing the others; `slow….clickhouse.test` answers each request a second late.
 * Nothing else is reachable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClickHouseServer, startClickHouse } from '../../../../../scripts/clickhouse.ts';

const servers = new Map<string, Promise<ClickHouseServer>>();

function clickhouse(name: string): Promise<ClickHouseServer> {
  let server = servers.get(name);
  if (!server) {
    server = (async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `analytics-clickhouse-${name}-`));
      const s = await startClickHouse({ dir });
      process.once('exit', () => {
        void s.stop();
        rmSync(dir, { recursive: true, force: true });
      });
      return s;
    })();
    servers.set(name, server);
  }
  return server;
}

export async function clickHouseOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const [name = 'default', ...rest] = url.hostname.split('.');
  const host = rest.join('.');
  if (url.hostname.endsWith('clickhouse-control.test')) {
    const s = await clickhouse(host === 'clickhouse-control.test' ? name : 'default');
    if (url.pathname === '/stop') await s.stop();
    else if (url.pathname === '/start') await s.start();
    else return new Response('unknown control', { status: 404 });
    return new Response('ok');
  }
  if (url.hostname.endsWith('clickhouse.test')) {
    const s = await clickhouse(host === 'clickhouse.test' ? name : 'default');
    // A stopped server refuses the connection: the Worker's fetch fails as it would in production.
    const res = await fetch(`${s.url}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body ? await request.arrayBuffer() : null,
    });
    // `slow…` servers answer a second late: after they did the work, as a slow server does.
    if (name.startsWith('slow')) await new Promise((r) => setTimeout(r, 1000));
    return res;
  }
  return new Response(`tests have no network (${url.host})`, { status: 599 });
}
