/**
 * Attacks on runner credentials: no token, someone else's token, a user's token, a revoked runner,
 * a runner reaching for another runner's job or naming itself in the body, and registration tokens
 * that are spent, revoked, expired or made up.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import type { RpcTarget } from '../../../lib/testing/rpc-client.ts';
import { contract } from '../src/contract.ts';

const { routes } = contract;

import {
  claim,
  claimsOf,
  clearJobQueue,
  completeBody,
  jobRow,
  registerRunner,
  registrationToken,
  report,
  runner,
  storeOutputs,
  videoWithJob,
} from './support/runner.ts';
import { admin, call, service, testEnv } from './support/service.ts';

beforeEach(clearJobQueue);

const runnerRoutes = routes.filter((r) => r.policy.access === 'runner');
const inputFor = (routeId: string) =>
  routeId === 'videos.runner.claim'
    ? { body: { maxJobs: 1 } }
    : { params: { jobId: 'job_x' }, body: { leaseToken: 'x', progress: 1, reason: 'x', retryable: true } };

/** Every runner route, called with these headers; the statuses, by route id. */
async function everyRunnerRoute(headers: Record<string, string>) {
  const out: Record<string, number> = {};
  for (const route of runnerRoutes) {
    // Straight to the service with the raw input: the check must not depend on body validation.
    const reply = await (service as unknown as RpcTarget).handle(
      route.id,
      { query: {}, params: {}, ...inputFor(route.id), headers },
      admin,
    );
    out[route.id] = reply.status;
  }
  return out;
}

const allAre = (status: number) =>
  Object.fromEntries(runnerRoutes.map((r) => [r.id, status])) as Record<string, number>;

describe('runner routes take a registered runner token and nothing else', () => {
  it('covers the whole protocol', () => {
    expect(runnerRoutes.map((r) => r.id).sort()).toEqual(
      ['abort', 'claim', 'complete', 'fail', 'heartbeat'].map((v) => `videos.runner.${v}`),
    );
  });

  it('refuses a missing token on every runner route with 401 and a Bearer challenge', async () => {
    expect(await everyRunnerRoute({})).toEqual(allAre(401));
    const res = await call('videos.runner.claim', { body: {}, headers: {} });
    expect(res.problem?.headers?.['WWW-Authenticate']).toMatch(/^Bearer /);
  });

  it('refuses a user access token on every runner route, an admin one included', async () => {
    const adminJwt =
      'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c3JfYWRtaW4iLCJyb2xlcyI6WyJhZG1pbiJdfQ.c2ln';
    expect(await everyRunnerRoute({ authorization: `Bearer ${adminJwt}` })).toEqual(allAre(401));
  });

  it('refuses a made-up token, another scheme, and a token without its scheme', async () => {
    const { token } = await runner();
    for (const authorization of [
      'Bearer wrong-token',
      `Bearer ${token}x`,
      `Basic ${btoa(`r:${token}`)}`,
      token,
    ]) {
      const res = await call('videos.runner.claim', { body: {}, headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('refuses a registration token used as a runner token', async () => {
    const token = await registrationToken();
    const res = await call('videos.runner.claim', {
      body: {},
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
  });
});

describe('a revoked runner', () => {
  it('is refused at once, and the job it held is claimable again at once with no attempt spent', async () => {
    const { jobId } = await videoWithJob();
    const doomed = await registerRunner('doomed');
    const held = await call('videos.runner.claim', { body: {}, headers: doomed.auth });
    expect(held.body.job.jobId).toBe(jobId);

    const revoked = await call('videos.revokeRunner', { params: { runnerId: doomed.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ runnerId: doomed.id, revoked: true, runningJobs: [] });

    expect(await everyRunnerRoute(doomed.auth)).toEqual(allAre(401));
    const heartbeat = await call('videos.runner.heartbeat', {
      params: { jobId },
      body: { leaseToken: held.body.job.leaseToken, progress: 50 },
      headers: doomed.auth,
    });
    expect(heartbeat.status).toBe(401);

    expect(await jobRow(jobId)).toMatchObject({ state: 'pending', failures: 0, lease_expires_at: null });
    expect(await claimsOf(jobId)).toEqual([
      expect.objectContaining({ runner_id: doomed.id, outcome: 'revoked', reason: 'the runner was revoked' }),
    ]);
    expect((await claim()).body.job).toMatchObject({ jobId, attempt: 1 });
  });

  it('cannot complete a job it was publishing when revoked', async () => {
    const { videoId, jobId } = await videoWithJob();
    const doomed = await registerRunner('doomed-late');
    const { job } = (await call('videos.runner.claim', { body: {}, headers: doomed.auth })).body;
    await storeOutputs(videoId, jobId);
    await call('videos.revokeRunner', { params: { runnerId: doomed.id } });
    const late = await call('videos.runner.complete', {
      params: { jobId },
      body: completeBody(job.leaseToken),
      headers: doomed.auth,
    });
    expect(late.status).toBe(401);
    expect(await jobRow(jobId)).toMatchObject({ state: 'pending' });
  });

  it('revoking an unknown runner is 404', async () => {
    expect((await call('videos.revokeRunner', { params: { runnerId: 'rnr_nobody' } })).status).toBe(404);
  });
});

describe("a runner reaching for another runner's job", () => {
  it('is refused with 403 even with the current lease token, and the holder carries on', async () => {
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim('holder')).body;
    const thief = 'thief';
    const lease = { leaseToken: job.leaseToken };
    const attempts = [
      await report('heartbeat', jobId, { ...lease, progress: 99 }, thief),
      await report('fail', jobId, { ...lease, reason: 'sabotage', retryable: false }, thief),
      await report('abort', jobId, { ...lease, reason: 'mine now' }, thief),
    ];
    await storeOutputs(videoId, jobId);
    attempts.push(await report('complete', jobId, completeBody(job.leaseToken), thief));
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(await jobRow(jobId)).toMatchObject({
      state: 'processing',
      failures: 0,
      runner_id: (await runner('holder')).id,
    });
    expect((await report('heartbeat', jobId, { ...lease, progress: 20 }, 'holder')).status).toBe(200);
    expect((await report('complete', jobId, completeBody(job.leaseToken), 'holder')).status).toBe(204);
  });

  it('gets 409, not the job, with a lease token that is not the current one', async () => {
    const { jobId } = await videoWithJob();
    await claim('holder');
    const res = await report('heartbeat', jobId, { leaseToken: 'guessed', progress: 1 }, 'thief');
    expect(res.status).toBe(409);
  });
});

describe('a runner naming itself in the body', () => {
  it('is ignored: the job goes to the runner the token belongs to', async () => {
    const { jobId } = await videoWithJob();
    const victim = await runner('victim');
    const forger = await runner('forger');
    // Straight to the service: the gateway would strip the unknown field before it got there.
    const reply = await (service as unknown as RpcTarget).handle(
      'videos.runner.claim',
      { params: {}, query: {}, body: { runnerId: victim.id, maxJobs: 1 }, headers: forger.auth },
      admin,
    );
    expect(reply.status).toBe(200);
    expect(await jobRow(jobId)).toMatchObject({ runner_id: forger.id });
    expect(await claimsOf(jobId)).toEqual([expect.objectContaining({ runner_id: forger.id })]);
  });
});

describe('registration', () => {
  const register = (registrationToken: string, name = 'newcomer') =>
    call('videos.runner.register', { body: { registrationToken, name } });

  it('refuses a spent registration token', async () => {
    const token = await registrationToken({ maxUses: 1 });
    expect((await register(token)).status).toBe(201);
    const again = await register(token, 'second');
    expect(again.status).toBe(401);
    expect(again.problem?.detail).toMatch(/spent/);
  });

  it('refuses a revoked registration token', async () => {
    const created = await call('videos.createRunnerRegistrationToken', { body: { maxUses: 5 } });
    const revoked = await call('videos.revokeRunnerRegistrationToken', {
      params: { tokenId: created.body.tokenId },
    });
    expect(revoked.status).toBe(204);
    expect((await register(created.body.registrationToken)).status).toBe(401);
  });

  it('refuses an expired registration token and a made-up one', async () => {
    const created = await call('videos.createRunnerRegistrationToken', { body: {} });
    await testEnv.DB.prepare('UPDATE runner_registration_tokens SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, created.body.tokenId)
      .run();
    expect((await register(created.body.registrationToken)).status).toBe(401);
    expect((await register('made-up-registration-token')).status).toBe(401);
  });

  it('lets a token of n uses register n runners and no more', async () => {
    const token = await registrationToken({ maxUses: 3 });
    const statuses = await Promise.all([1, 2, 3, 4, 5].map((i) => register(token, `pool-${i}`)));
    expect(statuses.map((r) => r.status).sort()).toEqual([201, 201, 201, 401, 401]);
  });

  it('keeps only SHA-256 digests of registration and runner tokens', async () => {
    const created = await call('videos.createRunnerRegistrationToken', { body: {} });
    const { body } = await register(created.body.registrationToken);
    const stored = await testEnv.DB.prepare('SELECT token_hash FROM runner_registration_tokens WHERE id = ?')
      .bind(created.body.tokenId)
      .first<{ token_hash: string }>();
    expect(stored!.token_hash).toBe(await sha256Hex(created.body.registrationToken));
    const row = await testEnv.DB.prepare('SELECT * FROM runners WHERE id = ?').bind(body.runnerId).first();
    expect(row!.token_hash).toBe(await sha256Hex(body.runnerToken));
    expect(Object.values(row!)).not.toContain(body.runnerToken);
    const listed = await call('videos.listRunnerRegistrationTokens');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.registrationToken);
  });

  it('is the only public runner route; tokens and revocation are admin routes', () => {
    const policy = (id: string) => routes.find((r) => r.id === id)?.policy;
    expect(policy('videos.runner.register')).toMatchObject({ access: 'public', rateLimit: 'strict' });
    for (const id of [
      'videos.createRunnerRegistrationToken',
      'videos.listRunnerRegistrationTokens',
      'videos.revokeRunnerRegistrationToken',
      'videos.revokeRunner',
      'videos.runners',
      'videos.runnerDrain',
      'videos.runnerUndrain',
    ]) {
      expect(policy(id), id).toMatchObject({ access: 'admin' });
    }
  });
});
