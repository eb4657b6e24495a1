import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_POLICIES } from '../../workers/gateway/src/ratelimit/policies.ts';
import type { RateLimitPolicyName } from '../../workers/lib/api.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const OUT = path.join(ROOT, 'bench', 'out');
const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
/** The workerd that the installed wrangler runs. */
export const WORKERD = path.join(
  ROOT,
  'node_modules',
  'wrangler',
  'node_modules',
  'workerd',
  'bin',
  'workerd',
);

/** Bundles a Worker exactly as `wrangler deploy` would, without deploying. */
export function bundleWithWrangler(config: string, outdir: string): string {
  const r = spawnSync(WRANGLER, ['deploy', '--dry-run', '--outdir', outdir, '-c', config], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.dirname(WRANGLER)}:${process.env.PATH}` },
  });
  if (r.status !== 0) throw new Error(`bundling ${config} failed:\n${r.stdout}\n${r.stderr}`);
  return path.join(outdir, 'index.js');
}

/**
 * Bundles a Worker entry with esbuild. `conditions` picks packages' Worker builds (as wrangler does
 * with `workerd`, `worker`, `browser`) for entries that import such packages.
 */
export async function bundleFile(entry: string, outfile: string, conditions: string[] = []): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions,
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'silent',
  });
  return outfile;
}

export function startWorkerd(configText: string, dir: string, readyUrl: string): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.capnp');
  writeFileSync(file, configText);
  const child = spawn(WORKERD, ['serve', file, '--experimental'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 20_000;
    const poll = async () => {
      try {
        const r = await fetch(readyUrl);
        await r.arrayBuffer();
        return resolve(child);
      } catch {
        if (Date.now() > deadline || child.exitCode !== null) {
          child.kill('SIGKILL');
          return reject(new Error('workerd did not start'));
        }
        setTimeout(poll, 100);
      }
    };
    void poll();
  });
}

/** A text binding in a workerd config. */
export const capnpText = (name: string, value: string) =>
  `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`;

/**
 * RATE_LIMITS for the gateway: the production policies (mode, dimensions, windows) with limits the
 * benchmark's load cannot reach; `only` keeps just those policies (the rest then use their defaults).
 */
export function unreachableRateLimits(only?: RateLimitPolicyName[]): string {
  const names = only ?? (Object.keys(DEFAULT_POLICIES) as RateLimitPolicyName[]);
  return JSON.stringify(
    Object.fromEntries(
      names.map((name) => {
        const p = DEFAULT_POLICIES[name];
        return [name, { ...p, limits: p.limits.map((l) => ({ ...l, limit: 1e9 })) }];
      }),
    ),
  );
}

export interface GatewayWorkerOptions {
  /** Service bindings of the gateway: binding name → workerd service name. */
  services: Record<string, string>;
  rateLimits: string;
  /** The rate limiter's Durable Object key, distinct per benchmark. */
  uniqueKey: string;
  /** The KV service backing the gateway's CACHE namespace. */
  kv?: string;
}

/** `const gateway :Workerd.Worker`: the real gateway bundle (gateway/index.js) with bench settings. */
export function gatewayWorker(o: GatewayWorkerOptions): string {
  const services = Object.entries(o.services)
    .map(([binding, service]) => `    (name = "${binding}", service = "${service}"),\n`)
    .join('');
  return `const gateway :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "gateway/index.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
${services}    (name = "CACHE", kvNamespace = "${o.kv ?? 'kv'}"),
    (name = "RATE_LIMITER", durableObjectNamespace = "RateLimiter"),
    ${capnpText('ENVIRONMENT', 'development')},
    ${capnpText('JWT_ISSUER', 'edge-video-auth')},
    ${capnpText('JWT_AUDIENCE', 'edge-video-api')},
    ${capnpText('RATE_LIMITS', o.rateLimits)},
    ${capnpText('STORAGE_SIGNING_KEY', 'bench-signing-key')},
  ],
  durableObjectNamespaces = [(className = "RateLimiter", uniqueKey = "${o.uniqueKey}", enableSql = true)],
  durableObjectStorage = (inMemory = void),
);`;
}
