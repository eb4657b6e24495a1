import { beforeEach, describe, expect, it } from 'vitest';
import { reapExpiredLeases } from '../src/jobs.ts';
import { claim, clearJobQueue, report, videoWithJob } from './support/runner.ts';
import { call, testEnv, uploadMaster } from './support/service.ts';

beforeEach(clearJobQueue);

async function version(jobId: string): Promise<number> {
  const row = await testEnv.DB.prepare('SELECT version FROM jobs WHERE id = ?')
    .bind(jobId)
    .first<{ version: number }>();
  return row!.version;
}

describe('job versions', () => {
  it('every transition bumps the version: claim, heartbeat, abort, fail, reap, retry, cancel', async () => {
    const { videoId, jobId } = await videoWithJob();
    const seen = [await version(jobId)];
    const step = async (what: string, run: () => Promise<unknown>) => {
      await run();
      const v = await version(jobId);
      expect(v, what).toBeGreaterThan(seen.at(-1)!);
      seen.push(v);
    };

    let lease = '';
    const claimed = async () => {
      lease = (await claim()).body.job.leaseToken;
    };
    await step('claim', claimed);
    await step('heartbeat', () => report('heartbeat', jobId, { leaseToken: lease, progress: 10 }));
    await step('abort', () => report('abort', jobId, { leaseToken: lease, reason: 'shutting down' }));
    await step('claim again', claimed);
    await step('final failure', () =>
      report('fail', jobId, { leaseToken: lease, reason: 'not a video', retryable: false }),
    );
    await step('admin retry', () => call('videos.transcode', { params: { id: videoId } }));
    await step('claim after retry', claimed);
    await step('lease expired', async () => {
      await testEnv.DB.prepare('UPDATE jobs SET lease_expires_at = ? WHERE id = ?')
        .bind(Date.now() - 1, jobId)
        .run();
      expect(await reapExpiredLeases(testEnv)).toBe(1);
    });
    await step('cancelled by a new master', () => uploadMaster(videoId, 'new cut'));
    expect(seen).toHaveLength(10);
  });
});
