/**
 * `npm run bench [-- name …]`: runs the named benchmarks (default: all) one after another; each
 * appends its figures and command to bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ALL = [
  'gateway',
  'auth',
  'writes',
  'billing',
  'billing-webhooks',
  'transcode-ladder',
  'playback',
  'profile',
  'recs',
  'analytics',
  'search',
];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
let failed = 0;
for (const name of chosen) {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name} (known: ${ALL.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n### bench: ${name}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
