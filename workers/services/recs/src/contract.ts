/**
 * The public routes of the recs service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { defineContract, defineRoute } from '../../../lib/api.ts';
import { jsonBody, jsonResponse } from '../../../lib/openapi.ts';
import { MODEL_TYPES } from './trainer/recommender.ts';

const tags = ['Recommendations'];

const ModelType = z.enum(MODEL_TYPES).openapi({
  description:
    '`popular` (time-decayed, per genre), `rules` (genre/tag affinity, co-watching), `itemknn` (item-item ' +
    'cosine with shrinkage), `ease` (closed-form linear autoencoder, catalogues up to a few thousand ' +
    'videos), `als` (implicit matrix factorisation with a conjugate-gradient solver, for large ones).',
  example: 'ease',
});

export const Recommendation = z
  .object({
    videoId: z.string(),
    score: z.number().openapi({ description: 'Relative strength within this list (higher first).' }),
    reason: z.string().openapi({ example: 'Because you watched Heat' }),
  })
  .openapi('Recommendation');

export const TrainJob = z
  .object({
    jobId: z.string(),
    modelType: ModelType,
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    trigger: z.enum(['api', 'schedule']),
    versionId: z.string().nullable().openapi({ description: 'The model version it activated.' }),
    error: z.string().nullable(),
    stats: z.record(z.string(), z.number()).nullable(),
    createdAt: z.string().datetime(),
    startedAt: z.string().datetime().nullable(),
    finishedAt: z.string().datetime().nullable(),
  })
  .openapi('TrainJob');

export const ModelVersion = z
  .object({
    versionId: z.string(),
    modelType: ModelType,
    status: z.enum(['building', 'ready', 'failed', 'retired']),
    source: z.enum(['worker', 'import']),
    active: z.boolean(),
    stored: z.object({ neighbours: z.number().int(), users: z.number().int(), popular: z.number().int() }),
    expected: z.object({ neighbours: z.number().int(), users: z.number().int(), popular: z.number().int() }),
  })
  .openapi('RecsModelVersion');

const id = z.string().min(1).max(200);
const score = z.number().finite();
const Counts = z.object({
  neighbours: z.number().int().min(0),
  users: z.number().int().min(0),
  popular: z.number().int().min(0),
});

export const getRecs = defineRoute({
  id: 'recs.get',
  service: 'recs',
  // The edge cache lives in the service, keyed by the user's interaction version; clients revalidate
  // (ETag) on every request so a new interaction shows at once.
  policy: { access: { owner: 'userId' }, cache: { maxAge: 0, scope: 'private' } },
  route: createRoute({
    method: 'get',
    path: '/recs/{userId}',
    tags,
    summary: 'Recommendations for a user: their own, or anyone’s for an admin.',
    description:
      'Never what the user rated, finished or removed, only `ready` videos; never empty while ready videos ' +
      'exist (a user without history gets what is popular). Interactions newer than the model count at once.',
    request: {
      params: z.object({ userId: id }),
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        model: ModelType.optional().openapi({
          description:
            'Admins only: answer from this model type’s active version instead of the configured one.',
        }),
      }),
    },
    responses: {
      200: jsonResponse(z.array(Recommendation), 'The recommendations, best first.'),
      403: { description: 'Another user’s recommendations, or `model` without the admin role.' },
    },
  }),
});

export const train = defineRoute({
  id: 'recs.train',
  service: 'recs',
  policy: { access: 'admin', rateLimit: 'strict' },
  route: createRoute({
    method: 'post',
    path: '/recs/train',
    tags,
    summary: 'Train a model now; serving switches to it when it is complete.',
    request: { body: jsonBody(z.object({ modelType: ModelType })) },
    responses: {
      202: jsonResponse(TrainJob, 'The queued job; poll GET /recs/train/{jobId}.'),
      409: { description: 'A training of this model type is already queued or running.' },
    },
  }),
});

export const getTrainJob = defineRoute({
  id: 'recs.trainJob',
  service: 'recs',
  policy: { access: 'admin', cache: 'no-store' },
  route: createRoute({
    method: 'get',
    path: '/recs/train/{jobId}',
    tags,
    summary: 'A training job’s status.',
    request: { params: z.object({ jobId: id }) },
    responses: { 200: jsonResponse(TrainJob, 'The job.'), 404: { description: 'No such job.' } },
  }),
});

export const createModel = defineRoute({
  id: 'recs.createModel',
  service: 'recs',
  policy: { access: 'admin' },
  route: createRoute({
    method: 'post',
    path: '/recs/models',
    tags,
    summary: 'Start importing a model trained offline (`npm run recs:train -- --push`).',
    description:
      'Send its rows with POST /recs/models/{versionId}/parts, then activate it: serving switches to it only ' +
      'when every row announced in `counts` has arrived.',
    request: {
      body: jsonBody(
        z.object({
          format: z.literal('recs-model/1'),
          modelType: ModelType,
          trainedAt: z.string().datetime(),
          dataUntil: z.string().datetime(),
          stats: z.record(z.string(), z.number()),
          counts: Counts,
        }),
      ),
    },
    responses: { 201: jsonResponse(ModelVersion, 'The version, building.') },
  }),
});

export const modelParts = defineRoute({
  id: 'recs.modelParts',
  service: 'recs',
  policy: { access: 'admin', bodyLimit: 8 * 1024 * 1024 },
  route: createRoute({
    method: 'post',
    path: '/recs/models/{versionId}/parts',
    tags,
    summary: 'Add rows to a model being imported (up to 8 MiB per request).',
    request: {
      params: z.object({ versionId: id }),
      body: jsonBody(
        z.object({
          neighbours: z
            .array(z.tuple([id, z.array(z.tuple([id, score])).max(500)]))
            .max(20_000)
            .optional(),
          users: z
            .array(z.tuple([id, z.array(z.tuple([id, score, z.string().max(220)])).max(500)]))
            .max(20_000)
            .optional(),
          popular: z
            .array(z.tuple([z.string().max(100), z.array(z.tuple([id, score])).max(1000)]))
            .max(1000)
            .optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse(ModelVersion, 'The version with what it holds so far.'),
      404: { description: 'No such version.' },
      409: { description: 'The version is no longer building.' },
    },
  }),
});

export const activateModel = defineRoute({
  id: 'recs.activateModel',
  service: 'recs',
  policy: { access: 'admin' },
  route: createRoute({
    method: 'post',
    path: '/recs/models/{versionId}/activate',
    tags,
    summary: 'Switch serving to a complete imported version, atomically.',
    request: { params: z.object({ versionId: id }) },
    responses: {
      200: jsonResponse(ModelVersion, 'The version, now serving.'),
      404: { description: 'No such version.' },
      409: { description: 'The version is incomplete or not building.' },
    },
  }),
});

export const getModel = defineRoute({
  id: 'recs.getModel',
  service: 'recs',
  policy: { access: 'admin', cache: 'no-store' },
  route: createRoute({
    method: 'get',
    path: '/recs/models/{versionId}',
    tags,
    summary: 'A model version: its status, whether it serves, and its rows.',
    request: { params: z.object({ versionId: id }) },
    responses: { 200: jsonResponse(ModelVersion, 'The version.'), 404: { description: 'No such version.' } },
  }),
});

export const contract = defineContract('recs', [
  getRecs,
  train,
  getTrainJob,
  createModel,
  modelParts,
  activateModel,
  getModel,
]);
