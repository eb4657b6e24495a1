import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('auth service', () => {
  it('reports ready when its database answers', async () => {
    const report = await (
      exports as unknown as { default: { ready(): Promise<{ ok: boolean }> } }
    ).default.ready();
    expect(report.ok).toBe(true);
    expect(env).toBeTruthy();
  });
});
