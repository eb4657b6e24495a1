import { desc, eq, inArray } from 'drizzle-orm';
import { implement, json } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { videoJobs } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { jobClaims, jobs } from '../db/schema.ts';
import { jobView, requireVideo } from '../videos.ts';

export const videoJobsHandler = implement(videoJobs, async (input, _caller, env: Env) => {
  const db = database(env.DB);
  const video = await requireVideo(db, input.params.id);
  const rows = await db.select().from(jobs).where(eq(jobs.videoId, video.id)).orderBy(desc(jobs.createdAt));
  const claims = rows.length
    ? await db
        .select()
        .from(jobClaims)
        .where(
          inArray(
            jobClaims.jobId,
            rows.map((j) => j.id),
          ),
        )
        .orderBy(jobClaims.claimedAt)
    : [];
  return json(
    200,
    rows.map((job) => ({
      ...jobView(job),
      current: job.id === video.currentJobId,
      claims: claims
        .filter((c) => c.jobId === job.id)
        .map((c) => ({
          runnerId: c.runnerId,
          claimedAt: c.claimedAt.toISOString(),
          endedAt: c.endedAt?.toISOString() ?? null,
          outcome: c.outcome,
          reason: c.reason,
        })),
    })),
  );
});
