/** Importing a model trained offline by the Node batch job, in parts, then switching to it. */
import { implement, json } from '../../../../lib/api.ts';
import { Problem } from '../../../../lib/problem.ts';
import type { Env } from '../config.ts';
import { activateModel, createModel, getModel, modelParts } from '../contract.ts';
import { activateVersion, beginVersion, IncompleteModel, type PartKind, writeRows } from '../models.ts';
import type { ModelType } from '../trainer/recommender.ts';

const KINDS: PartKind[] = ['neighbours', 'users', 'popular'];

async function describeVersion(db: D1Database, versionId: string) {
  const [v, n, u, p, a] = await db.batch([
    db.prepare('SELECT * FROM model_versions WHERE version_id = ?').bind(versionId),
    db.prepare('SELECT count(*) AS n FROM model_neighbours WHERE version_id = ?').bind(versionId),
    db.prepare('SELECT count(*) AS n FROM model_user_recs WHERE version_id = ?').bind(versionId),
    db.prepare('SELECT count(*) AS n FROM model_popular WHERE version_id = ?').bind(versionId),
    db.prepare('SELECT 1 AS n FROM active_models WHERE version_id = ?').bind(versionId),
  ]);
  const row = v?.results[0] as
    | { version_id: string; model_type: ModelType; status: string; source: string; expected: string | null }
    | undefined;
  if (!row) throw Problem.notFound(`No model version ${versionId}.`);
  const count = (r: typeof n) => (r?.results[0] as { n: number } | undefined)?.n ?? 0;
  return {
    versionId: row.version_id,
    modelType: row.model_type,
    status: row.status as 'building' | 'ready' | 'failed' | 'retired',
    source: row.source as 'worker' | 'import',
    active: Boolean(a?.results.length),
    stored: { neighbours: count(n), users: count(u), popular: count(p) },
    expected: { neighbours: 0, users: 0, popular: 0, ...(JSON.parse(row.expected ?? '{}') as object) },
  };
}

export const createModelHandler = implement(createModel, async (input, _caller, env: Env) => {
  const b = input.body;
  const versionId = await beginVersion(env.DB, {
    modelType: b.modelType,
    source: 'import',
    trainedAt: Date.parse(b.trainedAt),
    dataUntil: Date.parse(b.dataUntil),
    stats: b.stats,
    expected: b.counts,
  });
  return json(201, await describeVersion(env.DB, versionId), { Location: `/recs/models/${versionId}` });
});

export const modelPartsHandler = implement(modelParts, async (input, _caller, env: Env) => {
  const { versionId } = input.params;
  const v = await describeVersion(env.DB, versionId);
  if (v.status !== 'building') throw Problem.conflict(`Version ${versionId} is ${v.status}, not building.`);
  for (const kind of KINDS) {
    const rows = input.body[kind];
    if (rows?.length) await writeRows(env.DB, versionId, kind, rows as [string, unknown[]][]);
  }
  return json(200, await describeVersion(env.DB, versionId));
});

export const activateModelHandler = implement(activateModel, async (input, _caller, env: Env) => {
  const { versionId } = input.params;
  await describeVersion(env.DB, versionId);
  try {
    await activateVersion(env.DB, versionId);
  } catch (err) {
    if (err instanceof IncompleteModel) throw Problem.conflict(err.message);
    throw err;
  }
  return json(200, await describeVersion(env.DB, versionId));
});

export const getModelHandler = implement(getModel, async (input, _caller, env: Env) =>
  json(200, await describeVersion(env.DB, input.params.versionId)),
);
