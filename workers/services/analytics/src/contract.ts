/**
 * The public routes of the analytics service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';
import { ingestEvents } from './contract/events.ts';
import { getMetrics } from './contract/metrics.ts';

export const contract = defineContract('analytics', [ingestEvents, getMetrics]);
