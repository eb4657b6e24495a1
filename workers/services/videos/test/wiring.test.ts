import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import VideosService from '../src/index.ts';

describeServiceWiring(VideosService, env);
