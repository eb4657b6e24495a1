/**
 * The route table: every public route of every service, each with its policy. It is the single
 * source for routing, /openapi.json and /docs. A service adds its routes in its own contract.ts.
 */
import type { ApiRoute } from '../../../lib/api.ts';
import { routes as auth } from '../../../services/auth/src/contract.ts';
import { routes as videos } from '../../../services/videos/src/contract.ts';

export const SERVICE_ROUTES: ApiRoute[] = [...auth, ...videos];
