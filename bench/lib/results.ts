import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS = path.resolve(import.meta.dirname, '..', 'RESULTS.md');

/** Appends one dated block to bench/RESULTS.md (never rewrites earlier runs). */
export function appendResults(title: string, command: string, body: string): void {
  if (!existsSync(RESULTS)) writeFileSync(RESULTS, '# Benchmark results\n');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const block = [
    '',
    `## ${title} — ${new Date().toISOString()}`,
    '',
    `Command: \`${command}\` · ${os.cpus().length} cores (${cpu}) · Node ${process.version}`,
    '',
    body.trim(),
    '',
  ].join('\n');
  appendFileSync(RESULTS, block);
  console.log(block);
}
