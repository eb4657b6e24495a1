/**
 * Deploys every Worker with wrangler: D1 migrations first, then the services, then the gateway
 * that binds them. `npm run deploy -- staging` (default) or `npm run deploy -- production`.
 * Secrets are never read from files here: set them with `wrangler secret put` (.dev.vars.example).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { deployOrder, ROOT, readConfig, workerConfigs } from './platform.ts';

const env = process.argv[2] ?? 'staging';
if (!['staging', 'production'].includes(env)) {
  console.error('usage: npm run deploy -- [staging|production]');
  process.exit(2);
}
const dryRun = process.argv.includes('--dry-run');
const wrangler = path.join(ROOT, 'node_modules', '.bin', 'wrangler');

function run(args: string[]) {
  console.log(`$ wrangler ${args.join(' ')}`);
  const r = spawnSync(wrangler, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const [gateway, ...unordered] = workerConfigs();
const services = deployOrder(unordered);
for (const cfg of services) {
  const config = readConfig(cfg) as { env?: Record<string, { d1_databases?: { database_name: string }[] }> };
  for (const db of config.env?.[env]?.d1_databases ?? []) {
    if (!dryRun) run(['d1', 'migrations', 'apply', db.database_name, '--remote', '-c', cfg, '--env', env]);
  }
  run([
    'deploy',
    '-c',
    cfg,
    '--env',
    env,
    ...(dryRun ? ['--dry-run', '--outdir', path.join(ROOT, 'dist', path.basename(path.dirname(cfg)))] : []),
  ]);
}
run([
  'deploy',
  '-c',
  gateway!,
  '--env',
  env,
  ...(dryRun ? ['--dry-run', '--outdir', path.join(ROOT, 'dist', 'gateway')] : []),
]);
