import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

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
