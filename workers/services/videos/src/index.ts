/**
 * The videos service: metadata, uploads, transcode jobs and the runner API, renditions, audit log.
 * The gateway calls `handle()` for public routes and `masterStored()` when its storage endpoint has
 * stored a master; queues deliver videos-events (and, in production, R2 notifications) to `queue()`;
 * the cron trigger reaps lost leases (the kit's upkeep sweeps the outbox).
 */
import { asc, gt } from 'drizzle-orm';
import type { EventData } from '../../../../queues/events.ts';
import { log } from '../../../lib/log.ts';
import { defineService, UPKEEP_CRON } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { videoEvents } from './consumer.ts';
import { contract } from './contract.ts';
import { database } from './db/client.ts';
import { videos } from './db/schema.ts';
import { reapExpiredLeases } from './jobs.ts';
import {
  claimMasterUpload,
  type MasterClaimInput,
  type MasterClaimResult,
  type MasterStoredInput,
  type MasterStoredResult,
  masterStored,
  releaseMasterUpload,
} from './master.ts';
import { type PlaybackInfo, playbackInfo } from './playback-info.ts';
import { handleR2Notifications, isNotificationQueue } from './r2-notifications.ts';
import { auditLogHandler, videoAuditHandler } from './routes/audit.ts';
import { createVideoHandler } from './routes/create-video.ts';
import { deleteVideoHandler } from './routes/delete-video.ts';
import { getVideoHandler } from './routes/get-video.ts';
import { listVideosHandler } from './routes/list-videos.ts';
import {
  abortMultipartHandler,
  completeMultipartHandler,
  createMultipartHandler,
  signPartsHandler,
} from './routes/multipart.ts';
import { registerRunnerHandler } from './routes/register-runner.ts';
import {
  createRegistrationTokenHandler,
  listRegistrationTokensHandler,
  revokeRegistrationTokenHandler,
} from './routes/registration-tokens.ts';
import { videoRenditionsHandler } from './routes/renditions.ts';
import {
  abortJobHandler,
  claimJobHandler,
  completeJobHandler,
  failJobHandler,
  heartbeatJobHandler,
} from './routes/runner-jobs.ts';
import {
  drainRunnerHandler,
  listRunnersHandler,
  revokeRunnerHandler,
  undrainRunnerHandler,
} from './routes/runners.ts';
import { retryTranscodeHandler } from './routes/transcode.ts';
import { updateVideoHandler } from './routes/update-video.ts';
import { requestUploadHandler } from './routes/upload.ts';
import { videoJobsHandler } from './routes/video-jobs.ts';
import { metadataEvent } from './videos.ts';

export type { Env } from './config.ts';

/** A page of catalogPage(): the metadata VideoCreated carries, with the time of the last change. */
export interface CatalogPage {
  items: (EventData<'VideoCreated'> & { updatedAt: string })[];
  next: string | null;
}
export type { PlaybackInfo, PlaybackRendition } from './playback-info.ts';

export default class VideosService extends defineService<Env>()({
  contract,
  handlers: {
    'videos.create': createVideoHandler,
    'videos.get': getVideoHandler,
    'videos.list': listVideosHandler,
    'videos.update': updateVideoHandler,
    'videos.delete': deleteVideoHandler,
    'videos.transcode': retryTranscodeHandler,
    'videos.jobs': videoJobsHandler,
    'videos.renditions': videoRenditionsHandler,
    'videos.upload': requestUploadHandler,
    'videos.multipartCreate': createMultipartHandler,
    'videos.multipartParts': signPartsHandler,
    'videos.multipartComplete': completeMultipartHandler,
    'videos.multipartAbort': abortMultipartHandler,
    'videos.audit': videoAuditHandler,
    'videos.auditLog': auditLogHandler,
    'videos.runner.register': registerRunnerHandler,
    'videos.runner.claim': claimJobHandler,
    'videos.runner.heartbeat': heartbeatJobHandler,
    'videos.runner.complete': completeJobHandler,
    'videos.runner.fail': failJobHandler,
    'videos.runner.abort': abortJobHandler,
    'videos.createRunnerRegistrationToken': createRegistrationTokenHandler,
    'videos.listRunnerRegistrationTokens': listRegistrationTokensHandler,
    'videos.revokeRunnerRegistrationToken': revokeRegistrationTokenHandler,
    'videos.runners': listRunnersHandler,
    'videos.revokeRunner': revokeRunnerHandler,
    'videos.runnerDrain': drainRunnerHandler,
    'videos.runnerUndrain': undrainRunnerHandler,
  },
  db: (env) => env.DB,
  publishes: true,
  events: videoEvents,
  queues: [
    {
      accepts: isNotificationQueue,
      consume: (batch, env, ctx) => handleR2Notifications(batch, env, (p) => ctx.waitUntil(p)),
    },
  ],
  crons: {
    // Claims reap lost leases too; the sweep catches jobs nobody claims.
    [UPKEEP_CRON]: async (env) => {
      const reaped = await reapExpiredLeases(env);
      if (reaped) log('info', 'expired leases reaped', { reaped });
    },
  },
  ready: (env) => ({
    d1: () => env.DB.prepare('SELECT 1 FROM videos LIMIT 1').first(),
    r2: () => env.MEDIA.head('readyz'),
  }),
}) {
  /** RPC from the gateway's storage endpoint before it writes `bytes` of a master: may it? */
  async claimMasterUpload(input: MasterClaimInput, bytes: number): Promise<MasterClaimResult> {
    return claimMasterUpload(this.env, { ...input, bytes });
  }

  /** RPC from the gateway's storage endpoint: writing a claimed master failed. */
  async releaseMasterUpload(input: MasterClaimInput): Promise<void> {
    return releaseMasterUpload(this.env, input);
  }

  /** RPC from the gateway's storage endpoint: a master it signed for has been stored. */
  async masterStored(input: MasterStoredInput, traceparent?: string): Promise<MasterStoredResult> {
    return masterStored(this.env, input, (p) => this.ctx.waitUntil(p), traceparent);
  }

  /**
   * RPC from catalog, to rebuild its index: a page of videos' searchable metadata in id order, after
   * `cursor` (an id; null from the start), and the cursor of the next page (null after the last).
   */
  async catalogPage(cursor: string | null, limit: number): Promise<CatalogPage> {
    const size = Math.min(Math.max(1, Math.floor(limit) || 1), 500);
    const rows = await database(this.env.DB)
      .select()
      .from(videos)
      .where(cursor ? gt(videos.id, cursor) : undefined)
      .orderBy(asc(videos.id))
      .limit(size);
    return {
      items: rows.map((row) => ({ ...metadataEvent(row), updatedAt: row.updatedAt.toISOString() })),
      next: rows.length === size ? rows.at(-1)!.id : null,
    };
  }

  /** RPC from playback: the video's status and outputs (null: no such video). */
  async playbackInfo(videoId: string): Promise<PlaybackInfo | null> {
    return playbackInfo(this.env, videoId);
  }
}
