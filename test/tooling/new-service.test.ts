/**
 * `npm run new-service` on a copy of this checkout: the new service type-checks, passes its own
 * tests in workerd and the wiring checks, and the gateway serves its contract, with no hand edits.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/platform.ts';

const NAME = 'notes';
let copy: string;

function run(cmd: string, args: string[], cwd = copy) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => {
  copy = mkdtempSync(path.join(os.tmpdir(), 'new-service-'));
  const files = run('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT).out.split('\0');
  for (const f of files.map((f) => f.trim()).filter(Boolean)) {
    mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(copy, f));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('npm run new-service', () => {
  it('writes a working, tested, empty service and registers it with the gateway', () => {
    const made = run(process.execPath, [path.join(copy, 'scripts/new-service.ts'), NAME]);
    expect(made.status, made.out).toBe(0);

    expect(readFileSync(path.join(copy, 'workers/gateway/src/routes/table.ts'), 'utf8')).toContain(
      `services/${NAME}/src/contract.ts`,
    );
    expect(readFileSync(path.join(copy, 'wrangler.jsonc'), 'utf8')).toMatch(
      new RegExp(`"service":\\s*"${NAME}-production"`),
    );

    // What the generator wrote or edited: the new Worker, the gateway (route table, bindings), the
    // Env types of every Worker (checked for staleness first), and the shared kit it registered in.
    const types = run('bash', ['scripts/typecheck.sh', 'workers/gateway', `workers/services/${NAME}`]);
    expect(types.status, types.out).toBe(0);
    const lint = run('biome', [
      'check',
      `workers/services/${NAME}`,
      `migrations/${NAME}`,
      'workers/gateway/src/routes/table.ts',
      'workers/lib/api.ts',
      'wrangler.jsonc',
    ]);
    expect(lint.status, lint.out).toBe(0);

    // Its own tests, the wiring checks, and the gateway starting with the new binding.
    const tests = run('vitest', [
      'run',
      '--project',
      NAME,
      '--project',
      'tooling',
      '--project',
      'gateway',
      'wiring',
      'openapi-document',
    ]);
    expect(tests.status, tests.out).toBe(0);
    expect(tests.out).toMatch(/Tests\s+\S*\d+ passed/);
  });

  it('refuses a name that is taken or malformed', () => {
    expect(run(process.execPath, [path.join(copy, 'scripts/new-service.ts'), 'videos']).status).toBe(2);
    expect(run(process.execPath, [path.join(copy, 'scripts/new-service.ts'), 'Bad Name']).status).toBe(2);
  });
});
