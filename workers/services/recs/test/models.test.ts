import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { storeModel } from '../src/models.ts';
import { TRAIN_CRON } from '../src/schedule.ts';
import type { TrainedModel } from '../src/trainer/model.ts';
import { createJob, getJob, runJob, TrainingBusy } from '../src/training.ts';
import { admin, call, recsOf, seedVideos, service, trainAndWait, watchAll } from './support/service.ts';

const db = () => env.DB;

async function pointer(type: string) {
  return (
    await db()
      .prepare('SELECT version_id FROM active_models WHERE model_type = ?')
      .bind(type)
      .first<{ version_id: string }>()
  )?.version_id;
}

async function seed() {
  const ids = await seedVideos('mdl', 6, 'Drama');
  for (let u = 0; u < 4; u++) await watchAll(`usr_mdl${u}`, ids.slice(0, 4 + (u % 2)));
  return ids;
}

/** A small hand-made model in the format the Node trainer writes. */
function handModel(ids: string[], users: number): TrainedModel {
  return {
    format: 'recs-model/1',
    modelType: 'rules',
    trainedAt: new Date().toISOString(),
    dataUntil: new Date().toISOString(),
    params: {},
    stats: { users, items: ids.length, interactions: 10, trainMs: 1 },
    neighbours: ids.map((id) => [id, ids.filter((o) => o !== id).map((o) => [o, 0.5] as [string, number])]),
    users: Array.from({ length: users }, (_, n) => [`usr_hand${n}`, [[ids[n % ids.length]!, 1, 'f']]]),
    popular: [['', ids.map((id, n) => [id, ids.length - n] as [string, number])]],
  };
}

/** A D1 handle whose `fail`-th batch throws, as a lost connection or a limit mid-write would. */
function failingDb(fail: number): D1Database {
  let batches = 0;
  return new Proxy(db(), {
    get(target, prop) {
      if (prop === 'batch')
        return async (statements: D1PreparedStatement[]) => {
          if (++batches === fail) throw new Error('D1 went away mid-write');
          return target.batch(statements);
        };
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('atomic model switch', () => {
  it('a write failing half-way marks the new version failed and leaves the old one serving', async () => {
    const ids = await seed();
    const old = await storeModel(db(), handModel(ids, 2), 'worker');
    expect(await pointer('rules')).toBe(old);
    const before = await recsOf('usr_hand1', { model: 'rules' }, admin);
    // 600 users: the user lists take several batches; the second batch fails.
    await expect(storeModel(failingDb(2), handModel(ids, 6000), 'worker')).rejects.toThrow(/mid-write/);
    expect(await pointer('rules')).toBe(old);
    const { results } = await db()
      .prepare(
        "SELECT status FROM model_versions WHERE model_type = 'rules' ORDER BY created_at DESC LIMIT 1",
      )
      .all<{ status: string }>();
    expect(results[0]!.status).toBe('failed');
    const after = await recsOf('usr_hand1', { model: 'rules' }, admin);
    expect(after.list).toEqual(before.list);
  });

  it('a failed training leaves serving untouched and says why', async () => {
    await seed();
    const good = await trainAndWait('itemknn');
    expect(good.status).toBe('succeeded');
    const jobId = await createJob(db(), 'itemknn', 'api');
    // Too many interactions for the Worker: the job fails before writing anything.
    const job = await runJob({ ...env, RECS_MAX_WORKER_INTERACTIONS: '1' } as typeof env, jobId);
    expect(job).toMatchObject({ status: 'failed', versionId: null });
    expect(job!.error).toMatch(/recs:train/);
    expect(await pointer('itemknn')).toBe(good.versionId);
  });

  it('one live job per model type: a second request while one is queued is 409', async () => {
    const first = await createJob(db(), 'popular', 'api');
    await expect(createJob(db(), 'popular', 'api')).rejects.toBeInstanceOf(TrainingBusy);
    const busy = await call('recs.train', { body: { modelType: 'popular' } });
    expect(busy.status).toBe(409);
    await runJob(env, first);
    expect((await getJob(db(), first))!.status).toBe('succeeded');
  });

  it('the daily cron trains the configured model', async () => {
    await seed();
    const before = await pointer('ease');
    await service.scheduled({
      cron: TRAIN_CRON,
      scheduledTime: Date.now(),
      noRetry() {},
    } as ScheduledController);
    const { results } = await db()
      .prepare(
        "SELECT status, trigger FROM train_jobs WHERE trigger = 'schedule' ORDER BY created_at DESC LIMIT 1",
      )
      .all();
    expect(results[0]).toEqual({ status: 'succeeded', trigger: 'schedule' });
    expect(await pointer('ease')).not.toBe(before);
  });

  it('keeps only the active and the newest retired version per type', async () => {
    await seed();
    for (let n = 0; n < 4; n++) await trainAndWait('popular');
    const { results } = await db()
      .prepare("SELECT count(*) AS n FROM model_versions WHERE model_type = 'popular' AND status = 'ready'")
      .all<{ n: number }>();
    expect(results[0]!.n).toBeLessThanOrEqual(2);
  });
});

describe('importing a model trained offline', () => {
  it('create → parts → activate switches serving; activating an incomplete version is 409', async () => {
    const ids = await seed();
    const m = handModel(ids, 3);
    const created = await call('recs.createModel', {
      body: {
        format: m.format,
        modelType: 'als',
        trainedAt: m.trainedAt,
        dataUntil: m.dataUntil,
        stats: m.stats,
        counts: { neighbours: m.neighbours.length, users: m.users.length, popular: m.popular.length },
      },
    });
    expect(created.status).toBe(201);
    const versionId = (created.body as { versionId: string }).versionId;
    await call('recs.modelParts', { params: { versionId }, body: { neighbours: m.neighbours } });
    const early = await call('recs.activateModel', { params: { versionId } });
    expect(early.status).toBe(409);
    expect(early.problem?.detail).toMatch(/users 0\/3/);
    const parts = await call('recs.modelParts', {
      params: { versionId },
      body: { users: m.users, popular: m.popular },
    });
    expect(parts.body).toMatchObject({ status: 'building', stored: { neighbours: 6, users: 3, popular: 1 } });
    const done = await call('recs.activateModel', { params: { versionId } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'ready', active: true, source: 'import', modelType: 'als' });
    const { headers } = await recsOf('usr_hand0', { model: 'als' }, admin);
    expect(headers['X-Recs-Model']).toBe(`als/${versionId}`);
    const late = await call('recs.modelParts', { params: { versionId }, body: { users: m.users } });
    expect(late.status).toBe(409);
    expect((await call('recs.getModel', { params: { versionId: 'mdl_nope' } })).status).toBe(404);
  });
});
