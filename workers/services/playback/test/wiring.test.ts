import { env } from 'cloudflare:workers';
import { describeServiceWiring } from '../../../lib/testing/wiring.ts';
import PlaybackService from '../src/index.ts';

describeServiceWiring(PlaybackService, env);
