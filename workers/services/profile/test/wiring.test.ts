import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import ProfileService from '../src/index.ts';

describeServiceWiring(ProfileService, env);
