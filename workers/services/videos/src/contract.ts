import type { ApiRoute } from '../../../lib/api.ts';

/** The public routes of this service; the gateway serves and documents them. */
export const routes: ApiRoute[] = [];
