import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/platform.ts';
import { api } from './support/http.ts';

// Redocly's CLI is a devDependency (@redocly/cli); REDOCLY_BIN may point at another install of it.
const REDOCLY = process.env.REDOCLY_BIN ?? path.join(ROOT, 'node_modules', '.bin', 'redocly');

describe('the OpenAPI document', () => {
  it('passes a third-party linter (Redocly, recommended rules) without errors', async () => {
    if (!existsSync(REDOCLY)) {
      throw new Error(
        `No OpenAPI linter at ${REDOCLY}: add the devDependency @redocly/cli (npm i -D @redocly/cli) ` +
          'or set REDOCLY_BIN to its redocly binary.',
      );
    }
    const doc = await api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc.body, null, 2));
      const lint = spawnSync(REDOCLY, ['lint', file, '--format=stylish'], {
        cwd: dir, // no redocly.yaml: the recommended ruleset
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      expect(lint.status, `${lint.stdout}\n${lint.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
