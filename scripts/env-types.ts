/**
 * Generates every Worker's `Env` type from its wrangler config with `wrangler types`, into
 * `worker-configuration.d.ts` beside the Worker's `src/`: `npm run env-types` writes them,
 * `npm run env-types -- --check` (part of `npm run typecheck`) fails when one is stale.
 *
 * Each Worker gets its own interface name (`GatewayEnv`, `AuthEnv`, …) because a Worker that calls
 * another over RPC type-checks that Worker's entrypoint class, and with it its Env. Vars are typed
 * `string` (settings are validated by each Worker's zod schema, and tests override them), and no
 * `.dev.vars` is read, so the result does not depend on local secrets.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, readConfig, workerConfigs } from './platform.ts';

const check = process.argv.includes('--check');
const bin = path.join(ROOT, 'node_modules', '.bin');
const wrangler = path.join(bin, 'wrangler');
const workers = workerConfigs();
// queues/ is tested inside a Worker of its own.
const configs = [...workers, path.join(ROOT, 'queues', 'test', 'wrangler.jsonc')];

interface WorkerConfig {
  name: string;
  main: string;
  services?: unknown[];
}

function typesCommand(file: string): { out: string; args: string[] } {
  const cfg = readConfig(file) as WorkerConfig;
  const main = path.resolve(path.dirname(file), cfg.main);
  const dir =
    path.basename(path.dirname(main)) === 'src' ? path.dirname(path.dirname(main)) : path.dirname(main);
  const out = path.relative(ROOT, path.join(dir, 'worker-configuration.d.ts'));
  const envInterface = `${cfg.name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Env`;
  // With the other Workers' configs, wrangler types service bindings as RPC stubs of their entrypoints.
  const others = cfg.services?.length ? workers.filter((w) => w !== file) : [];
  const args = [
    'types',
    out,
    '--include-runtime=false',
    '--strict-vars=false',
    '--env-file=/dev/null',
    `--env-interface=${envInterface}`,
    ...[file, ...others].flatMap((c) => ['-c', path.relative(ROOT, c)]),
  ];
  return { out, args };
}

function run(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(wrangler, args, {
      cwd: ROOT,
      // wrangler needs the Node the project brings.
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

const results = await Promise.all(
  configs.map(async (file) => {
    const { out, args } = typesCommand(file);
    const { ok, output } = await run(check ? [...args, '--check'] : args);
    return { out, ok, output };
  }),
);

let failed = false;
let stale = false;
for (const { out, ok, output } of results) {
  if (ok) {
    if (!check) console.log(`wrote ${out}`);
    continue;
  }
  failed = true;
  if (check && output.includes('out of date')) {
    stale = true;
    console.error(`stale: ${out}`);
  } else {
    console.error(`wrangler types failed for ${out}:\n${output}`);
  }
}
if (stale)
  console.error('Generated Env types are out of date: run `npm run env-types` and commit the result.');
process.exit(failed ? 1 : 0);
