/**
 * The catalog Worker as deployed (its entrypoint class and code), on raw workerd for the search
 * benchmark: D1 is a Durable Object's SQLite (billing-d1.ts), the Cache API goes to the in-memory
 * cache of recs-cache.ts. Its `fetch` is the benchmark's setup door: migrations and documents
 * indexed through the same function the event consumer and a rebuild call (`applyMetadata`); the
 * gateway calls the service over RPC.
 */

import CatalogService from '../../workers/services/catalog/src/index.ts';
import {
  applyMetadata,
  type DocInput,
  RANK,
  versionOf,
} from '../../workers/services/catalog/src/search/indexer.ts';
import { d1Over, type SqlStore } from './billing-d1.ts';

export { SqlStore } from './billing-d1.ts';

interface BenchEnv {
  SQL: DurableObjectNamespace<SqlStore>;
  [name: string]: unknown;
}

type CatalogEnv = ConstructorParameters<typeof CatalogService>[1];

function store(env: BenchEnv) {
  return env.SQL.get(env.SQL.idFromName('catalog'));
}

export default class BenchCatalog extends CatalogService {
  constructor(ctx: ExecutionContext, env: BenchEnv) {
    super(ctx, { ...env, DB: d1Over(store(env)) } as unknown as CatalogEnv);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const env = this.env as unknown as CatalogEnv;
    if (url.pathname === '/healthz') return new Response('ok');
    if (url.pathname === '/migrate') {
      await store(this.env as unknown as BenchEnv).migrate(await request.text());
      return new Response('migrated');
    }
    if (url.pathname === '/index') {
      // A batch of documents, as the consumer applies VideoCreated events (or a rebuild its pages).
      const docs = (await request.json()) as DocInput[];
      const version = versionOf(new Date().toISOString(), RANK.created);
      const applied = await applyMetadata(
        env.DB,
        docs.map((doc) => ({ doc, version })),
      );
      return Response.json({ applied });
    }
    if (url.pathname === '/count') {
      const row = await env.DB.prepare(
        "SELECT count(*) AS docs, sum(status = 'ready') AS ready FROM docs",
      ).first();
      return Response.json(row);
    }
    return new Response('not found', { status: 404 });
  }
}
