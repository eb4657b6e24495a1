import { describe, expect, it } from 'vitest';
import { call, RUNNER_TOKEN } from './support/service.ts';

const claim = (headers: Record<string, string>) =>
  call('videos.runner.claim', { body: { runnerId: 'intruder' }, headers });

describe('runner routes take the runner token and nothing else', () => {
  it('refuses a missing token with 401 and a Bearer challenge', async () => {
    const res = await claim({});
    expect(res.status).toBe(401);
    expect(res.problem?.headers?.['WWW-Authenticate']).toMatch(/^Bearer /);
  });

  it('refuses a wrong token, a user access token and another scheme', async () => {
    const userJwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c3JfMSIsInJvbGVzIjpbImFkbWluIl19.c2ln';
    for (const authorization of [
      'Bearer wrong-token',
      `Bearer ${RUNNER_TOKEN}x`,
      `Bearer ${userJwt}`,
      `Basic ${btoa(`runner:${RUNNER_TOKEN}`)}`,
      RUNNER_TOKEN,
    ]) {
      expect((await claim({ authorization })).status, authorization).toBe(401);
    }
  });

  it('checks the token on every call, not only on claims', async () => {
    const res = await call('videos.runner.heartbeat', {
      params: { jobId: 'job_x' },
      body: { leaseToken: 'x', progress: 1 },
      headers: { authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(401);
  });

  it('accepts the runner token', async () => {
    expect([200, 204]).toContain((await claim({ authorization: `Bearer ${RUNNER_TOKEN}` })).status);
  });
});
