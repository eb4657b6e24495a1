/**
 * The route table: every public route of every service, each with its policy. It is the single
 * source for routing, /openapi.json and /docs. A service adds its routes in its own contract.ts and
 * is registered here (`npm run new-service` does it).
 */
import type { ApiRoute, Contract } from '../../../lib/api.ts';
import { contract as analytics } from '../../../services/analytics/src/contract.ts';
import { contract as auth } from '../../../services/auth/src/contract.ts';
import { contract as billing } from '../../../services/billing/src/contract.ts';
import { contract as catalog } from '../../../services/catalog/src/contract.ts';
import { contract as playback } from '../../../services/playback/src/contract.ts';
import { contract as profile } from '../../../services/profile/src/contract.ts';
import { contract as recs } from '../../../services/recs/src/contract.ts';
import { contract as videos } from '../../../services/videos/src/contract.ts';
// new-service: import

export const CONTRACTS: Contract[] = [
  auth,
  videos,
  billing,
  playback,
  profile,
  catalog,
  recs,
  analytics,
  // new-service: contract
];

export const SERVICE_ROUTES: ApiRoute[] = CONTRACTS.flatMap((c) => [...c.routes]);
