/**
 * The public routes of the catalog service; the gateway serves, validates and documents them. Only
 * schemas live here (the gateway bundles this file); the handlers are in src/routes/.
 */
import { defineContract } from '../../../lib/api.ts';

export const contract = defineContract('catalog', []);
