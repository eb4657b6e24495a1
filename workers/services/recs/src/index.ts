/** The recs service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { recsEvents } from './consumer.ts';
import { contract } from './contract.ts';
import { getRecsHandler } from './routes/get-recs.ts';
import {
  activateModelHandler,
  createModelHandler,
  getModelHandler,
  modelPartsHandler,
} from './routes/models.ts';
import { trainHandler, trainJobHandler } from './routes/train.ts';
import { TRAIN_CRON } from './schedule.ts';
import { scheduledTraining } from './training.ts';

export type { Env } from './config.ts';

export default class RecsService extends defineService<Env>()({
  contract,
  handlers: {
    'recs.get': getRecsHandler,
    'recs.train': trainHandler,
    'recs.trainJob': trainJobHandler,
    'recs.createModel': createModelHandler,
    'recs.modelParts': modelPartsHandler,
    'recs.activateModel': activateModelHandler,
    'recs.getModel': getModelHandler,
  },
  db: (env) => env.DB,
  publishes: false,
  events: recsEvents,
  crons: { [TRAIN_CRON]: (env) => scheduledTraining(env) },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM active_models LIMIT 1').first(),
  }),
}) {}
