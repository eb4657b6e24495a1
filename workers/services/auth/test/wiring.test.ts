import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import AuthService from '../src/index.ts';

describeServiceWiring(AuthService, env);
