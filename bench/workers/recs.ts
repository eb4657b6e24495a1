/**
 * The recs Worker as deployed (its entrypoint class and code), on raw workerd for the recs
 * benchmark: D1 is a Durable Object's SQLite (billing-d1.ts), the Cache API goes to the in-memory
 * cache of recs-cache.ts. Its `fetch` is the benchmark's setup door: migrations, seed rows, a
 * training run through the service's own job code, and new interactions through the same function
 * the event consumer calls; the gateway calls the service over RPC.
 */

import RecsService from '../../workers/services/recs/src/index.ts';
import { recordSignal } from '../../workers/services/recs/src/interactions.ts';
import type { ModelType } from '../../workers/services/recs/src/trainer/recommender.ts';
import { createJob, runJob } from '../../workers/services/recs/src/training.ts';
import { d1Over, type SqlStore } from './billing-d1.ts';

export { SqlStore } from './billing-d1.ts';

interface BenchEnv {
  SQL: DurableObjectNamespace<SqlStore>;
  [name: string]: unknown;
}

function store(env: BenchEnv) {
  return env.SQL.get(env.SQL.idFromName('recs'));
}

export default class BenchRecs extends RecsService {
  constructor(ctx: ExecutionContext, env: BenchEnv) {
    super(ctx, { ...env, DB: d1Over(store(env)) } as unknown as ConstructorParameters<typeof RecsService>[1]);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const env = this.env as unknown as ConstructorParameters<typeof RecsService>[1];
    const db = env.DB;
    if (url.pathname === '/healthz') return new Response('ok');
    if (url.pathname === '/migrate') {
      await store(this.env as unknown as BenchEnv).migrate(await request.text());
      return new Response('migrated');
    }
    if (url.pathname === '/seed/videos') {
      // [[videoId, title, genres[], tags[]], …]
      await db
        .prepare(
          `INSERT INTO videos (video_id, title, status, genres, tags, deleted, updated_at)
           SELECT value ->> 0, value ->> 1, 'ready', json(value -> 2), json(value -> 3), 0, ? FROM json_each(?)`,
        )
        .bind(Date.now(), await request.text())
        .run();
      return new Response('seeded');
    }
    if (url.pathname === '/seed/interactions') {
      // [[userId, videoId, weight, finished, rating, updatedAt], …]
      await db
        .prepare(
          `INSERT INTO interactions (user_id, video_id, weight, finished, started, rating, updated_at)
           SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 1, value ->> 4, value ->> 5 FROM json_each(?)`,
        )
        .bind(await request.text())
        .run();
      return new Response('seeded');
    }
    if (url.pathname === '/train') {
      const jobId = await createJob(db, url.searchParams.get('model') as ModelType, 'api');
      return Response.json(await runJob(env, jobId));
    }
    if (url.pathname === '/interact') {
      const { userId, videoId, rating } = (await request.json()) as Record<string, string | number>;
      await recordSignal(
        db,
        `evt_bench_${crypto.randomUUID()}`,
        String(userId),
        String(videoId),
        { kind: 'rated', rating: Number(rating) },
        Date.now(),
      );
      return new Response('recorded');
    }
    if (url.pathname === '/count') {
      const row = await db
        .prepare(
          `SELECT (SELECT count(*) FROM videos) AS videos, (SELECT count(*) FROM interactions) AS interactions,
             (SELECT count(DISTINCT user_id) FROM interactions) AS users,
             (SELECT count(*) FROM model_user_recs r JOIN active_models a ON a.version_id = r.version_id) AS lists,
             (SELECT count(*) FROM model_neighbours r JOIN active_models a ON a.version_id = r.version_id) AS neighbours`,
        )
        .first();
      return Response.json(row);
    }
    return new Response('not found', { status: 404 });
  }
}
