import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import CatalogService from '../src/index.ts';

describeServiceWiring(CatalogService, env);
