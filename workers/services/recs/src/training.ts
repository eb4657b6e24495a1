/**
 * Train jobs: `queued` → `running` → `succeeded` (with the version it activated) or `failed`
 * (with the reason; serving keeps the previous version). The same trainer module as the Node
 * batch job runs here on the platform's own store, for catalogues small enough for one Worker.
 */
import { newId } from '../../../lib/ids.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { loadCatalog } from './catalog.ts';
import { type Env, settings } from './config.ts';
import { loadInteractions } from './interactions.ts';
import { pruneVersions, storeModel } from './models.ts';
import { buildDataset, type ItemMeta } from './trainer/dataset.ts';
import { trainModel } from './trainer/model.ts';
import type { ModelType } from './trainer/recommender.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TrainJob {
  jobId: string;
  modelType: ModelType;
  status: JobStatus;
  trigger: 'api' | 'schedule';
  versionId: string | null;
  error: string | null;
  stats: Record<string, number> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * EASE's item × item inverse in doubles is 12 bytes × items² with the result: 2,000 items are
 * ~48 MB, what a Worker's 128 MB allows beside the data; larger catalogues train `als` or in Node.
 */
const WORKER_PARAMS: Partial<Record<ModelType, Record<string, number>>> = { ease: { maxItems: 2000 } };

/** A job not finished after this long is taken as lost (its Worker was evicted) and may be redone. */
const STALE_MS = 15 * 60_000;

export class TrainingBusy extends Error {}

export async function createJob(
  db: D1Database,
  modelType: ModelType,
  trigger: TrainJob['trigger'],
  now = Date.now(),
): Promise<string> {
  const jobId = newId('trn', now);
  // One live job per model type: the insert happens only when none is queued or running.
  const r = await db
    .prepare(
      `INSERT INTO train_jobs (job_id, model_type, status, trigger, created_at)
       SELECT ?, ?, 'queued', ?, ? WHERE NOT EXISTS (
         SELECT 1 FROM train_jobs WHERE model_type = ? AND status IN ('queued', 'running') AND created_at > ?)`,
    )
    .bind(jobId, modelType, trigger, now, modelType, now - STALE_MS)
    .run();
  if (!r.meta.changes) throw new TrainingBusy(`A ${modelType} training is already queued or running.`);
  return jobId;
}

interface JobRow {
  job_id: string;
  model_type: ModelType;
  status: JobStatus;
  trigger: TrainJob['trigger'];
  version_id: string | null;
  error: string | null;
  stats: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function getJob(db: D1Database, jobId: string): Promise<TrainJob | null> {
  const r = await db.prepare('SELECT * FROM train_jobs WHERE job_id = ?').bind(jobId).first<JobRow>();
  if (!r) return null;
  return {
    jobId: r.job_id,
    modelType: r.model_type,
    status: r.status,
    trigger: r.trigger,
    versionId: r.version_id,
    error: r.error,
    stats: r.stats ? (JSON.parse(r.stats) as Record<string, number>) : null,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** Reads the platform's store into the trainer's dataset. */
async function platformDataset(env: Env) {
  const max = settings(env).RECS_MAX_WORKER_INTERACTIONS;
  const [rows, catalog] = await Promise.all([loadInteractions(env.DB, max), loadCatalog(env.DB)]);
  if (rows.length > max)
    throw new Error(
      `more than ${max} interactions: train with the Node batch job (npm run recs:train) and import the model`,
    );
  const meta = new Map<string, ItemMeta>();
  for (const [id, title, genres, tags] of catalog)
    meta.set(id, { title, genres: JSON.parse(genres) as string[], tags: JSON.parse(tags) as string[] });
  return buildDataset(
    rows.map(([userId, itemId, weight, time]) => ({ userId, itemId, weight, time })),
    meta,
  );
}

/** Runs a queued job to its end; never throws (the outcome is the job's status). */
export async function runJob(env: Env, jobId: string): Promise<TrainJob | null> {
  const db = env.DB;
  const started = await db
    .prepare(
      "UPDATE train_jobs SET status = 'running', started_at = ? WHERE job_id = ? AND status = 'queued' RETURNING model_type",
    )
    .bind(Date.now(), jobId)
    .first<{ model_type: ModelType }>();
  if (!started) return getJob(db, jobId);
  try {
    const dataset = await platformDataset(env);
    const model = trainModel(started.model_type, dataset, { params: WORKER_PARAMS[started.model_type] });
    const versionId = await storeModel(db, model, 'worker');
    await db
      .prepare(
        "UPDATE train_jobs SET status = 'succeeded', version_id = ?, stats = ?, finished_at = ? WHERE job_id = ?",
      )
      .bind(versionId, JSON.stringify(model.stats), Date.now(), jobId)
      .run();
    await pruneVersions(db, settings(env).RECS_KEEP_VERSIONS);
    log('info', 'model trained', { jobId, modelType: started.model_type, versionId, ...model.stats });
  } catch (err) {
    log('warn', 'training failed; serving keeps the previous model', { jobId, ...errorFields(err) });
    await db
      .prepare("UPDATE train_jobs SET status = 'failed', error = ?, finished_at = ? WHERE job_id = ?")
      .bind(((err as Error).message ?? 'training failed').slice(0, 500), Date.now(), jobId)
      .run();
  }
  return getJob(db, jobId);
}

/** The daily Cron Trigger: trains the configured model. */
export async function scheduledTraining(env: Env): Promise<void> {
  let jobId: string;
  try {
    jobId = await createJob(env.DB, settings(env).RECS_MODEL, 'schedule');
  } catch (err) {
    if (err instanceof TrainingBusy) return;
    throw err;
  }
  await runJob(env, jobId);
}
