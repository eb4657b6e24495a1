/** Runner credentials over HTTP, through the gateway: who may hand them out, use them and lose them. */
import { describe, expect, it } from 'vitest';
import { api } from './support/http.ts';
import { adminToken, viewerToken } from './support/videos-api.ts';

async function createRegistrationToken(body: Record<string, unknown> = {}) {
  const res = await api('POST', '/runners/registration-tokens', { token: await adminToken(), body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { tokenId: string; registrationToken: string };
}

async function register(registrationToken: string, name: string) {
  return api('POST', '/runners/register', { body: { registrationToken, name } });
}

describe('runner credentials over HTTP', () => {
  it('an admin hands out a registration token; a runner registers with it and polls with its own token', async () => {
    const { registrationToken } = await createRegistrationToken();
    const registered = await register(registrationToken, 'e2e-runner');
    expect(registered.status).toBe(201);
    const runnerToken = registered.body.runnerToken as string;
    // Drained before it polls, so it never takes a job the platform's own runner should do.
    const admin = await adminToken();
    const runnerId = registered.body.runnerId as string;
    expect((await api('PUT', `/runners/${runnerId}/drain`, { token: admin })).status).toBe(200);
    expect((await api('POST', '/runners/jobs/claim', { token: runnerToken, body: {} })).status).toBe(204);

    expect((await register(registrationToken, 'second-use')).status).toBe(401);

    expect((await api('DELETE', `/runners/${runnerId}`, { token: admin })).status).toBe(200);
    const refused = await api('POST', '/runners/jobs/claim', { token: runnerToken, body: {} });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('keeps registration tokens and revocation to admins', async () => {
    const viewer = await viewerToken();
    const attempts: [string, string][] = [
      ['POST', '/runners/registration-tokens'],
      ['GET', '/runners/registration-tokens'],
      ['DELETE', '/runners/registration-tokens/rrt_x'],
      ['DELETE', '/runners/rnr_x'],
    ];
    for (const [method, path] of attempts) {
      const body = method === 'POST' ? {} : undefined;
      expect((await api(method, path, { token: viewer, ...(body ? { body } : {}) })).status, path).toBe(403);
      expect((await api(method, path, body ? { body } : {})).status, path).toBe(401);
    }
  });

  it('refuses a revoked registration token', async () => {
    const { tokenId, registrationToken } = await createRegistrationToken({ maxUses: 10 });
    const revoked = await api('DELETE', `/runners/registration-tokens/${tokenId}`, {
      token: await adminToken(),
    });
    expect(revoked.status).toBe(204);
    expect((await register(registrationToken, 'too-late')).status).toBe(401);
  });
});
