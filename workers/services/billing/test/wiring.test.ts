import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import BillingService from '../src/index.ts';

describeServiceWiring(BillingService, env);
