import { inArray } from 'drizzle-orm';
import { implement, isAdmin } from '../../../../lib/api.ts';
import type { Env } from '../config.ts';
import { listVideos } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { jobs } from '../db/schema.ts';
import { listVideos as findVideos, type JobRow, parseFilter, videoView } from '../videos.ts';

export const listVideosHandler = implement(listVideos, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const admin = isAdmin(caller);
  const { page, limit, filter } = input.query;
  const { rows, total } = await findVideos(db, { filter: parseFilter(filter), page, limit, admin });
  const jobIds = admin ? rows.map((r) => r.currentJobId).filter((id): id is string => Boolean(id)) : [];
  const byId = new Map<string, JobRow>();
  if (jobIds.length) {
    for (const job of await db.select().from(jobs).where(inArray(jobs.id, jobIds))) byId.set(job.id, job);
  }
  const body = rows.map((row) =>
    videoView(row, {
      admin,
      origin: caller.origin,
      job: row.currentJobId ? byId.get(row.currentJobId) : undefined,
    }),
  );
  return { status: 200, body, total };
});
