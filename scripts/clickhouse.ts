/**
 * A private ClickHouse server (Debian's clickhouse-server) for tests, benchmarks and `npm start`: its
 * own config, ports and data folder, so that parallel runs never share a server or a table.
 *
 *   node scripts/clickhouse.ts start [httpPort]   # data under .wrangler/clickhouse/<port>, prints the URL
 *   node scripts/clickhouse.ts stop [httpPort]
 *
 * Tests import `startClickHouse`, which can also stop and restart the same server (same data).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER = process.env.CLICKHOUSE_SERVER ?? '/usr/sbin/clickhouse-server';

export interface ClickHouseServer {
  url: string;
  httpPort: number;
  dir: string;
  /** Stops the server (SIGTERM, then SIGKILL); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitUntil(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ClickHouse: ${what} within ${ms} ms`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * The server whose config is in `dir`, controlled through its pid file, so that any process (a test
 * worker, the global setup, the command line) can stop and restart the same server.
 */
export function clickHouseAt(dir: string, url: string, detached = false): ClickHouseServer {
  const pidFile = path.join(dir, 'pid');
  const running = () => {
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  };
  const start = async () => {
    if (running()) return;
    const child = spawn(SERVER, [`--config-file=${path.join(dir, 'config.xml')}`], {
      cwd: dir,
      stdio: 'ignore',
      // Only the command line leaves it running on its own; tests own theirs.
      detached,
    });
    // The server never keeps its owner's event loop alive; the owner stops it (tests: on exit).
    child.unref();
    writeFileSync(pidFile, String(child.pid));
    let exited: Error | undefined;
    child.once('exit', (code) => {
      exited = new Error(`clickhouse-server exited (${code}); see ${dir}`);
    });
    await waitUntil(
      async () => {
        if (exited) throw exited;
        return answers(url);
      },
      30_000,
      'no answer',
    );
  };
  const stop = async () => {
    const pid = running();
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    // It waits for idle keep-alive connections before exiting; a crash is as good an outage.
    const killAt = Date.now() + 1500;
    await waitUntil(
      async () => {
        if (Date.now() > killAt) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      15_000,
      'still running after stop',
    );
    rmSync(pidFile, { force: true });
    // The port must be free before a restart binds it again.
    await waitUntil(async () => !(await answers(url)), 10_000, 'still answering after stop');
  };
  return { url, httpPort: Number(new URL(url).port), dir, stop, start };
}

/**
 * Starts a private server. `dir` defaults to a fresh folder under .wrangler/clickhouse/<port>
 * (wiped unless `keep`); `httpPort` defaults to a free port.
 */
export async function startClickHouse(
  opts: { httpPort?: number; dir?: string; keep?: boolean; detached?: boolean } = {},
): Promise<ClickHouseServer> {
  if (!existsSync(SERVER))
    throw new Error(
      `${SERVER} is missing: install it with \`sudo apt-get install -y clickhouse-server clickhouse-client\``,
    );
  const httpPort = opts.httpPort ?? (await freePort());
  const tcpPort = await freePort();
  const dir = path.resolve(opts.dir ?? path.join(ROOT, '.wrangler', 'clickhouse', String(httpPort)));
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
  writeFileSync(path.join(dir, 'users.xml'), USERS_XML);
  const server = clickHouseAt(dir, `http://127.0.0.1:${httpPort}`, opts.detached);
  await server.start();
  return server;
}

async function main() {
  const [command, portArg] = process.argv.slice(2);
  const httpPort = Number(portArg ?? process.env.CLICKHOUSE_PORT ?? 8123);
  const dir = path.join(ROOT, '.wrangler', 'clickhouse', String(httpPort));
  if (command === 'start') {
    const server = await startClickHouse({ httpPort, dir, keep: true, detached: true });
    console.log(
      `ClickHouse is up: CLICKHOUSE_URL=${server.url} (data in ${dir}); stop it with node scripts/clickhouse.ts stop ${httpPort}`,
    );
    process.exit(0);
  } else if (command === 'stop') {
    await clickHouseAt(dir, `http://127.0.0.1:${httpPort}`).stop();
    console.log('stopped');
  } else {
    console.error('usage: node scripts/clickhouse.ts start|stop [httpPort]');
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
