/**
 * The public routes of the videos service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';
import { auditRoutes } from './contract/audit.ts';
import { runnerJobRoutes } from './contract/runner-jobs.ts';
import { runnerFleetRoutes } from './contract/runners.ts';
import { uploadRoutes } from './contract/uploads.ts';
import { videoRoutes } from './contract/videos.ts';

export const contract = defineContract('videos', [
  ...videoRoutes,
  ...uploadRoutes,
  ...auditRoutes,
  ...runnerJobRoutes,
  ...runnerFleetRoutes,
]);
