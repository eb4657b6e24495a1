import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import AnalyticsService from '../src/index.ts';

describeServiceWiring(AnalyticsService, env);
