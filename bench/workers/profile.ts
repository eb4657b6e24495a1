/**
 * The profile Worker as deployed (its entrypoint class and code), on raw workerd for the profile
 * benchmark: D1 is a Durable Object's SQLite (billing-d1.ts) and the event queues are sinks, since
 * workerd has neither binding by itself; KV is the in-memory namespace of profile-kv.ts. Its
 * `fetch` applies migrations and seeds users for the benchmark's setup; the gateway calls it over RPC.
 */
import ProfileService from '../../workers/services/profile/src/index.ts';
import { d1Over, type SqlStore } from './billing-d1.ts';

export { SqlStore } from './billing-d1.ts';

interface BenchEnv {
  SQL: DurableObjectNamespace<SqlStore>;
  [name: string]: unknown;
}

const sink = { send: async () => undefined, sendBatch: async () => undefined };

function store(env: BenchEnv) {
  return env.SQL.get(env.SQL.idFromName('profile'));
}

export default class BenchProfile extends ProfileService {
  constructor(ctx: ExecutionContext, env: BenchEnv) {
    super(ctx, {
      ...env,
      DB: d1Over(store(env)),
      Q_CATALOG_EVENTS: sink,
      Q_RECS_EVENTS: sink,
      Q_ANALYTICS_EVENTS: sink,
    } as unknown as ConstructorParameters<typeof ProfileService>[1]);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const sql = store(this.env as unknown as BenchEnv);
    const n = (k: string) => Number(url.searchParams.get(k));
    if (url.pathname === '/healthz') return new Response('ok');
    if (url.pathname === '/migrate') {
      await sql.migrate(await request.text());
      return new Response('migrated');
    }
    if (url.pathname === '/seed/videos') {
      await this.env.DB.prepare(seedVideos(n('count'))).run();
      return new Response('seeded');
    }
    if (url.pathname === '/seed/users') {
      const [from, to, items, videos] = [n('from'), n('to'), n('items'), n('videos')];
      for (const statement of seedUsers(from, to, items, videos)) await this.env.DB.prepare(statement).run();
      return new Response('seeded');
    }
    if (url.pathname === '/count') {
      const row = await this.env.DB.prepare(
        'SELECT (SELECT count(*) FROM watchlist) AS watchlist, (SELECT count(*) FROM history) AS history, (SELECT count(*) FROM videos) AS videos',
      ).first();
      return Response.json(row);
    }
    return new Response('not found', { status: 404 });
  }
}

/** Ready videos of 10 to 69 minutes. */
function seedVideos(count: number): string {
  return `INSERT INTO videos (id, title, status, duration_sec, thumbnail_url, meta_at, state_at, deleted_at)
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
    SELECT printf('vid_b%05d', i), 'Bench video ' || i, 'ready', 600 + (i % 60) * 60,
      'https://cdn.example.com/posters/' || i || '.jpg', 0, 0, NULL FROM n`;
}

/**
 * Users `usr_b00000`… with `items` watchlist entries and `items` resume points for each user in [from, to), each over
 * distinct videos, in one statement per table (rows made by SQLite itself). Resume points spread
 * over 0–99 % of the duration, so about nine in ten are in continue watching.
 */
function seedUsers(from: number, to: number, items: number, videos: number): string[] {
  const users = `u(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM u WHERE i < ${to - 1})`;
  const slots = `k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${items - 1})`;
  const base = Date.UTC(2026, 10, 1);
  return [
    `INSERT INTO watchlist (user_id, video_id, added_at)
      WITH RECURSIVE ${users}, ${slots}
      SELECT printf('usr_b%05d', i), printf('vid_b%05d', (i * 37 + j * 13) % ${videos}), ${base} + (i * ${items} + j) * 1000
      FROM u, k`,
    `INSERT INTO history (user_id, video_id, progress, watched_at, finished)
      WITH RECURSIVE ${users}, ${slots},
        p(i, j, v, share) AS (SELECT i, j, (i * 53 + j * 7) % ${videos}, ((i * 7 + j * 11) % 100) / 100.0 FROM u, k)
      SELECT printf('usr_b%05d', i), printf('vid_b%05d', v), share * (600 + (v % 60) * 60),
        ${base} + (i * ${items} + j) * 1000, share >= 0.95
      FROM p`,
  ];
}
