/** The playback service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { contract } from './contract.ts';
import { manifestHandler } from './routes/manifest.ts';
import { endSessionHandler, heartbeatHandler } from './routes/sessions.ts';

export { StreamSessions } from '../../../../durable-objects/stream-sessions.ts';

export type { Env } from './config.ts';

export default class PlaybackService extends defineService<Env>()({
  contract,
  handlers: {
    'playback.manifest': manifestHandler,
    'playback.heartbeat': heartbeatHandler,
    'playback.endSession': endSessionHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM outbox LIMIT 1').first(),
  }),
}) {}
