/**
 * `npm test`: every vitest project, in three processes at once. Vitest runs projects of its
 * custom pools (one per Worker, inside workerd) one after another, and most test time is waiting
 * (workerd, ffmpeg, the end-to-end platform), so separate processes finish in a fraction of the
 * time. Each group's lines are prefixed with its name; `--outputFile.json=<file>` gets one JSON
 * report merged from the groups (a group that wrote none counts as a runtime error).
 *
 * Arguments naming projects or files (`npm test -- --project auth`, `npm test -- login`) run one
 * vitest process with them unchanged.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.join(import.meta.dirname, '..');
const VITEST = path.join(ROOT, 'node_modules/.bin/vitest');

/** Balanced on CI timings; the last group takes every project the others do not name. */
const NAMED: Record<string, string[]> = {
  e2e: ['e2e', 'tooling'],
  accounts: ['auth', 'billing', 'videos', 'gateway'],
};
const GROUPS: Record<string, string[]> = {
  ...NAMED,
  rest: Object.values(NAMED)
    .flat()
    .map((p) => `!${p}`),
};

const args = process.argv.slice(2);
const narrowed = args.some((a) => a === '--project' || a.startsWith('--project=') || !a.startsWith('-'));

if (narrowed) {
  const child = spawn(VITEST, ['run', ...args], { stdio: 'inherit', cwd: ROOT });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const output = args.find((a) => a.startsWith('--outputFile.json='))?.split('=')[1];
  const passThrough = args.filter((a) => !a.startsWith('--outputFile.json='));
  const runs = Object.entries(GROUPS).map(([name, projects]) => run(name, projects, passThrough, output));
  const results = await Promise.all(runs);
  if (output) mergeReports(output, results);
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
}

interface GroupRun {
  name: string;
  code: number;
  report?: string;
}

function run(name: string, projects: string[], extra: string[], output?: string): Promise<GroupRun> {
  const report = output ? `${output}.${name}.json` : undefined;
  if (report) rmSync(path.resolve(ROOT, report), { force: true });
  const child = spawn(
    VITEST,
    [
      'run',
      ...projects.map((p) => `--project=${p}`),
      ...extra,
      ...(report ? [`--outputFile.json=${report}`] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  const prefix = `[${name}] `;
  createInterface({ input: child.stdout }).on('line', (l) => process.stdout.write(`${prefix}${l}\n`));
  createInterface({ input: child.stderr }).on('line', (l) => process.stderr.write(`${prefix}${l}\n`));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), report })),
  );
}

type Report = Record<string, unknown> & { testResults: unknown[]; startTime: number; success: boolean };

function mergeReports(output: string, results: GroupRun[]): void {
  const merged: Report = { testResults: [], startTime: Date.now(), success: true, numRuntimeErrors: 0 };
  for (const r of results) {
    const file = r.report && path.resolve(ROOT, r.report);
    if (!file || !existsSync(file)) {
      merged.numRuntimeErrors = Number(merged.numRuntimeErrors) + 1;
      merged.success = false;
      console.error(`test: the ${r.name} group wrote no report (exit ${r.code})`);
      continue;
    }
    const part = JSON.parse(readFileSync(file, 'utf8')) as Report;
    for (const [key, value] of Object.entries(part)) {
      if (typeof value === 'number' && key.startsWith('num')) merged[key] = Number(merged[key] ?? 0) + value;
    }
    merged.testResults.push(...part.testResults);
    merged.startTime = Math.min(merged.startTime, part.startTime);
    merged.success &&= part.success && r.code === 0;
    rmSync(file);
  }
  writeFileSync(path.resolve(ROOT, output), JSON.stringify(merged));
  console.log(
    `test: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed in ${results.length} groups`,
  );
}
