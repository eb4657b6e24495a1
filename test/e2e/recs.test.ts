/**
 * Recommendations through the gateway: who may ask for whose list, bad input as problem+json,
 * and a training job run from the admin API to its end.
 */
import { describe, expect, it } from 'vitest';
import { adminToken, signUp } from './support/auth-client.ts';
import { api } from './support/http.ts';

const problem = (r: { headers: Headers }) =>
  expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);

describe('GET /recs/{userId}', () => {
  it('answers the user’s own list (an array) and refuses anyone else’s with 403', async () => {
    const me = await signUp();
    const other = await signUp();
    const mine = await api('GET', `/recs/${me.userId}?limit=5`, { token: me.token });
    expect(mine.status).toBe(200);
    expect(Array.isArray(mine.body)).toBe(true);
    expect(mine.headers.get('cache-control')).toMatch(/private/);
    const theirs = await api('GET', `/recs/${other.userId}`, { token: me.token });
    expect(theirs.status).toBe(403);
    problem(theirs);
    expect((await api('GET', `/recs/${me.userId}`)).status).toBe(401);
    const admin = await adminToken();
    expect((await api('GET', `/recs/${me.userId}`, { token: admin })).status).toBe(200);
  });

  it('refuses a limit outside 1–100 and a viewer choosing the model', async () => {
    const me = await signUp();
    for (const q of ['limit=0', 'limit=101', 'limit=ten']) {
      const r = await api('GET', `/recs/${me.userId}?${q}`, { token: me.token });
      expect(r.status, q).toBe(400);
      problem(r);
      expect(r.body.errors[0].path).toMatch(/limit/);
    }
    expect((await api('GET', `/recs/${me.userId}?model=ease`, { token: me.token })).status).toBe(403);
  });
});

describe('POST /recs/train', () => {
  it('is admin only; an unknown model type is 400; a valid one is 202 with a job that finishes', async () => {
    const me = await signUp();
    expect(
      (await api('POST', '/recs/train', { token: me.token, body: { modelType: 'popular' } })).status,
    ).toBe(403);
    const admin = await adminToken();
    const bad = await api('POST', '/recs/train', { token: admin, body: { modelType: 'deep-learning' } });
    expect(bad.status).toBe(400);
    problem(bad);
    expect(bad.body.errors[0].path).toMatch(/modelType/);
    const r = await api('POST', '/recs/train', { token: admin, body: { modelType: 'popular' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ modelType: 'popular', status: 'queued' });
    let job = r.body;
    for (let n = 0; n < 100 && ['queued', 'running'].includes(job.status); n++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await api('GET', `/recs/train/${r.body.jobId}`, { token: admin })).body;
    }
    expect(job.status).toBe('succeeded');
    const model = await api('GET', `/recs/models/${job.versionId}`, { token: admin });
    expect(model.body).toMatchObject({ modelType: 'popular', status: 'ready', active: true });
  });
});
