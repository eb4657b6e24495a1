import type { ApiRoute } from '../../../lib/api.ts';
import { auditRoutes } from './api/audit.ts';
import { runnerJobRoutes } from './api/runner-jobs.ts';
import { runnerFleetRoutes } from './api/runners.ts';
import { uploadRoutes } from './api/uploads.ts';
import { videoRoutes } from './api/videos.ts';

/** The public routes of this service; the gateway serves and documents them. */
export const routes: ApiRoute[] = [
  ...videoRoutes,
  ...uploadRoutes,
  ...auditRoutes,
  ...runnerJobRoutes,
  ...runnerFleetRoutes,
];
