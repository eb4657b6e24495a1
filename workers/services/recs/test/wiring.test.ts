import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import RecsService from '../src/index.ts';

describeServiceWiring(RecsService, env);
