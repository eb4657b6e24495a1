import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LoadResult {
  /** CPU time the server process spent per request (µs), when its pid was given. */
  cpuUsPerRequest?: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  requests: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** Runs wrk (bounded in time) against one URL on this machine and parses its figures. */
/** utime + stime of a process in microseconds (Linux). */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / 100);
}

export function wrk(
  url: string,
  opts: {
    /** The server's pid, to report its CPU time per request. */
    serverPid?: number;
    seconds: number;
    connections: number;
    threads?: number;
    headers?: Record<string, string>;
  },
): LoadResult {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new Error('load is only ever sent to this machine');
  const lua = path.join(os.tmpdir(), `wrk-${process.pid}.lua`);
  const headerLines = Object.entries(opts.headers ?? {}).map(
    ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
  );
  writeFileSync(
    lua,
    [
      ...headerLines,
      'local non2xx = 0',
      'function response(status, headers, body) if status < 200 or status > 299 then non2xx = non2xx + 1 end end',
      'function done(summary, latency, requests) io.write("NON2XX " .. non2xx .. "\\n") end',
    ].join('\n'),
  );
  const cpuBefore = opts.serverPid ? cpuMicros(opts.serverPid) : 0;
  const r = spawnSync(
    'wrk',
    [
      '-t',
      String(opts.threads ?? 1),
      '-c',
      String(opts.connections),
      '-d',
      `${opts.seconds}s`,
      '--latency',
      '-s',
      lua,
      url,
    ],
    { encoding: 'utf8', timeout: (opts.seconds + 30) * 1000 },
  );
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/NON2XX (\d+)/.exec(out)?.[1] ?? 0);
  const result: LoadResult = { rps, p50Ms: p50, p99Ms: p99, non2xx, requests };
  if (opts.serverPid) result.cpuUsPerRequest = (cpuMicros(opts.serverPid) - cpuBefore) / requests;
  return result;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
