import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workerConfigs } from '../../scripts/platform.ts';

describe('npm run deploy', () => {
  it('bundles every Worker for production, services before the gateway', () => {
    const dist = path.join(ROOT, 'dist');
    rmSync(dist, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/deploy.ts'), 'production', '--dry-run'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
    });
    expect(r.status, r.stderr).toBe(0);
    const order = [...r.stdout.matchAll(/\$ wrangler deploy -c (\S+)/g)].map((m) => m[1]);
    expect(order.at(-1)).toBe(path.join(ROOT, 'wrangler.jsonc'));
    // A Worker goes after the Workers it binds (catalog binds videos, profile binds auth).
    const at = (service: string) => order.findIndex((c) => c?.includes(`/services/${service}/`));
    expect(at('videos')).toBeLessThan(at('catalog'));
    expect(at('auth')).toBeLessThan(at('profile'));
    expect(at('billing')).toBeLessThan(at('playback'));
    expect([...order].sort()).toEqual(workerConfigs().sort());
    for (const cfg of workerConfigs()) {
      const name = cfg === path.join(ROOT, 'wrangler.jsonc') ? 'gateway' : path.basename(path.dirname(cfg));
      expect(existsSync(path.join(dist, name, 'index.js')), name).toBe(true);
    }
  });

  it('refuses an unknown environment', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/deploy.ts'), 'prod'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('staging|production');
  });
});
