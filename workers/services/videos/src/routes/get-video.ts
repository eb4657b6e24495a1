import { implement, isAdmin, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { getVideo } from '../contract/videos.ts';
import { database } from '../db/client.ts';
import { currentJob, findVideo, videoView } from '../videos.ts';

export const getVideoHandler = implement(getVideo, async (input, caller, env: Env) => {
  const db = database(env.DB);
  const admin = isAdmin(caller);
  const row = await findVideo(db, input.params.id);
  // Unpublished videos do not exist for the public.
  if (!row || (!admin && row.status !== 'ready')) throw Problem.notFound(`No video ${input.params.id}.`);
  const job = admin ? await currentJob(db, row) : undefined;
  return json(200, videoView(row, { admin, origin: caller.origin, job }));
});
