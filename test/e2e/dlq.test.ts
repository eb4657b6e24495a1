import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../scripts/platform.ts';
import { client, uniqueEmail } from './support/auth-client.ts';

function dlq(...args: string[]) {
  const admin = inject('admin');
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts/dlq.ts'), ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      API_URL: inject('baseUrl'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    },
  });
}

describe('npm run dlq', () => {
  it('lists and replays a dead-letter queue as admin through the gateway', () => {
    const list = dlq('list', 'videos-events');
    expect(list.status, list.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    const replay = dlq('replay', 'videos-events');
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: expect.any(Number), skipped: expect.any(Number) });
  });

  it('refuses an unknown queue before calling anything', () => {
    const r = dlq('replay', 'no-such-queue');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('queues:');
  });

  it('is closed to viewers', async () => {
    const viewer = client();
    const signup = await viewer.call('POST', '/auth/signup', {
      body: { email: uniqueEmail('dlq'), password: 'viewer-password', name: 'Viewer' },
    });
    expect(signup.status).toBe(201);
    const res = await viewer.call('POST', '/internal/dlq/videos-events/replay', { token: signup.body.token });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
