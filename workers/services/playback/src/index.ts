/** The playback service. The gateway calls `handle(routeId, input, caller)` for its public routes. */
import { defineService } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { contract } from './contract.ts';
import {
  contentKey,
  contentKeyForJob,
  type JobContentKey,
  type RotationReport,
  rotateMasterKey,
} from './keys.ts';
import { licenseHandler } from './routes/license.ts';
import { manifestHandler } from './routes/manifest.ts';
import { endSessionHandler, heartbeatHandler, reportErrorHandler } from './routes/sessions.ts';

export { StreamSessions } from '../../../../durable-objects/stream-sessions.ts';

export type { Env } from './config.ts';

export default class PlaybackService extends defineService<Env>()({
  contract,
  handlers: {
    'playback.manifest': manifestHandler,
    'playback.heartbeat': heartbeatHandler,
    'playback.endSession': endSessionHandler,
    'playback.reportError': reportErrorHandler,
    'playback.license': licenseHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM outbox LIMIT 1').first(),
  }),
}) {
  /**
   * For the videos service, when a job is claimed: the video's AES-128 content key, made on the
   * first call, the same on every later one. Only that video's job may carry it.
   */
  async contentKeyForJob(videoId: string): Promise<JobContentKey> {
    return contentKeyForJob(this.env, videoId);
  }

  /**
   * For the stream endpoint's key path: the 16 raw key bytes of the video's key `keyId`, or null
   * (answer 404) when the video has no such key. Serve them only to a valid stream session.
   */
  async contentKey(videoId: string, keyId: string): Promise<Uint8Array | null> {
    return contentKey(this.env, videoId, keyId);
  }

  /**
   * For the stream endpoint: the key, only while the viewer the stream token names is still
   * entitled — a cancellation that took effect or a grace period that ended stops keys at once,
   * not when the token expires.
   */
  async keyForViewer(
    videoId: string,
    keyId: string,
    userId: string,
  ): Promise<{ key: Uint8Array } | { refused: string } | null> {
    const entitlement = await this.env.BILLING.getEntitlement(userId);
    if (!entitlement.active) return { refused: entitlement.reason };
    const key = await contentKey(this.env, videoId, keyId);
    return key ? { key } : null;
  }

  /** Re-wraps up to `limit` content keys under CONTENT_KEY_MASTER's current version (see keys.ts). */
  async rotateMasterKey(limit?: number): Promise<RotationReport> {
    return rotateMasterKey(this.env, limit);
  }
}
