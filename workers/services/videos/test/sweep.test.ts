import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { UPKEEP_CRON } from '../../../lib/service.ts';
import VideosService from '../src/index.ts';
import { claim, clearJobQueue, jobRow, report, videoWithJob } from './support/runner.ts';
import { call, createVideo, outbox, testEnv } from './support/service.ts';

const sweep = () =>
  new VideosService(createExecutionContext(), testEnv).scheduled(
    createScheduledController({ cron: UPKEEP_CRON, scheduledTime: Date.now() }),
  );

describe('the scheduled sweep', () => {
  it('re-sends events whose first send failed, and forgets old sent ones', async () => {
    const video = await createVideo({ title: 'Unlucky send' });
    const [created] = await outbox('VideoCreated', video.videoId);
    const old = Date.now() - 8 * 24 * 3600 * 1000;
    await testEnv.DB.prepare('UPDATE outbox SET sent_at = NULL, created_at = ? WHERE id = ?')
      .bind(Date.now() - 60_000, created!.id)
      .run();
    await testEnv.DB.prepare(
      "INSERT INTO outbox (id, type, subject, envelope, created_at, sent_at, send_attempts) VALUES ('evt_old', 'VideoCreated', 'x', '{}', ?, ?, 1)",
    )
      .bind(old, old)
      .run();
    await sweep();
    const [resent] = await outbox('VideoCreated', video.videoId);
    expect(resent!.sentAt).not.toBeNull();
    expect((await outbox()).map((e) => e.id)).not.toContain('evt_old');
  });

  it('reaps a lost lease even when no runner asks for work', async () => {
    await clearJobQueue();
    const { jobId } = await videoWithJob();
    await claim('runner-gone');
    await testEnv.DB.prepare('UPDATE jobs SET lease_expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1, jobId)
      .run();
    await sweep();
    expect(await jobRow(jobId)).toMatchObject({ state: 'pending', failures: 1 });
  });
});

describe('deleting a video while it transcodes', () => {
  it('cancels the job, so its runner gets 409 and stops', async () => {
    await clearJobQueue();
    const { videoId, jobId } = await videoWithJob();
    const { job } = (await claim()).body;
    expect((await call('videos.delete', { params: { id: videoId } })).status).toBe(204);
    expect(await jobRow(jobId)).toMatchObject({ state: 'cancelled' });
    expect((await report('heartbeat', jobId, { leaseToken: job.leaseToken, progress: 10 })).status).toBe(409);
    expect((await claim()).status).toBe(204);
  });
});
