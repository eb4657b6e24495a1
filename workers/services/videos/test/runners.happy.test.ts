import { beforeEach, describe, expect, it } from 'vitest';
import { clearJobQueue, registerRunner, videoWithJob } from './support/runner.ts';
import { call, testEnv } from './support/service.ts';

beforeEach(clearJobQueue);

describe('runner registration', () => {
  it('an admin creates a registration token, shown once, and lists it without the token', async () => {
    const created = await call('videos.createRunnerRegistrationToken', {
      body: { description: 'GPU pool', maxUses: 2, expiresInSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tokenId: expect.stringMatching(/^rrt_/),
      registrationToken: expect.any(String),
      description: 'GPU pool',
      maxUses: 2,
      uses: 0,
      state: 'active',
    });
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(3590_000);
    const listed = await call('videos.listRunnerRegistrationTokens');
    const entry = listed.body.find((t: { tokenId: string }) => t.tokenId === created.body.tokenId);
    expect(entry).toMatchObject({ uses: 0, state: 'active' });
    expect(entry.registrationToken).toBeUndefined();
  });

  it('a runner registers with it, gets its own token, and is known by it from then on', async () => {
    const created = await call('videos.createRunnerRegistrationToken', { body: {} });
    const res = await call('videos.runner.register', {
      body: { registrationToken: created.body.registrationToken, name: 'edge-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ runnerId: expect.stringMatching(/^rnr_/), runnerToken: expect.any(String) });
    const { runnerId, runnerToken } = res.body;

    const listed = await call('videos.listRunnerRegistrationTokens');
    expect(listed.body.find((t: { tokenId: string }) => t.tokenId === created.body.tokenId)).toMatchObject({
      uses: 1,
      state: 'spent',
    });

    const { videoId } = await videoWithJob();
    const claimed = await call('videos.runner.claim', {
      body: {},
      headers: { authorization: `Bearer ${runnerToken}` },
    });
    expect(claimed.status).toBe(200);
    const video = await call('videos.get', { params: { id: videoId } });
    expect(video.body.transcode.runnerId).toBe(runnerId);
    const fleet = await call('videos.runners');
    expect(fleet.body.find((r: { runnerId: string }) => r.runnerId === runnerId)).toMatchObject({
      name: 'edge-1',
      revoked: false,
      drained: false,
      runningJobs: [claimed.body.job.jobId],
    });
  });

  it('records when a runner was last seen, on every call', async () => {
    const r = await registerRunner('seen');
    const lastSeen = async () =>
      (await testEnv.DB.prepare('SELECT last_seen_at FROM runners WHERE id = ?')
        .bind(r.id)
        .first<{ last_seen_at: number }>())!.last_seen_at;
    const longAgo = Date.now() - 3600_000;
    await testEnv.DB.prepare('UPDATE runners SET last_seen_at = ? WHERE id = ?').bind(longAgo, r.id).run();
    await call('videos.runner.claim', { body: {}, headers: r.auth });
    expect(await lastSeen()).toBeGreaterThan(longAgo + 3590_000);
  });
});
