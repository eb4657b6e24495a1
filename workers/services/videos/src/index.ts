/**
 * The videos service: metadata, uploads, transcode jobs and the runner API, renditions, audit log.
 * The gateway calls `handle()` for public routes and `masterStored()` when its storage endpoint has
 * stored a master; queues deliver videos-events (and, in production, R2 notifications) to `queue()`;
 * the cron trigger runs `scheduled()`.
 */
import type { HandlerTable } from '../../../lib/api.ts';
import { errorFields, log } from '../../../lib/log.ts';
import { ServiceEntrypoint } from '../../../lib/service.ts';
import type { Env } from './config.ts';
import { videoEvents } from './consumer.ts';
import { database } from './db/client.ts';
import { reapExpiredLeases } from './jobs.ts';
import { type MasterStoredInput, type MasterStoredResult, masterStored } from './master.ts';
import { sweepOutbox } from './outbox.ts';
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

export type { Env } from './config.ts';

export default class VideosService extends ServiceEntrypoint<Env> {
  protected readonly routes: HandlerTable<Env> = Object.fromEntries([
    createVideoHandler,
    getVideoHandler,
    listVideosHandler,
    updateVideoHandler,
    deleteVideoHandler,
    retryTranscodeHandler,
    videoJobsHandler,
    videoRenditionsHandler,
    requestUploadHandler,
    createMultipartHandler,
    signPartsHandler,
    completeMultipartHandler,
    abortMultipartHandler,
    videoAuditHandler,
    auditLogHandler,
    registerRunnerHandler,
    claimJobHandler,
    heartbeatJobHandler,
    completeJobHandler,
    failJobHandler,
    abortJobHandler,
    createRegistrationTokenHandler,
    listRegistrationTokensHandler,
    revokeRegistrationTokenHandler,
    listRunnersHandler,
    revokeRunnerHandler,
    drainRunnerHandler,
    undrainRunnerHandler,
  ]);

  protected readyChecks() {
    return {
      d1: () => this.env.DB.prepare('SELECT 1 FROM videos LIMIT 1').first(),
      r2: () => this.env.MEDIA.head('readyz'),
    };
  }

  protected override eventsDb(): D1Database {
    return this.env.DB;
  }

  /** RPC from the gateway's storage endpoint: a master it signed for has been stored. */
  async masterStored(input: MasterStoredInput, traceparent?: string): Promise<MasterStoredResult> {
    return masterStored(this.env, input, (p) => this.ctx.waitUntil(p), traceparent);
  }

  override async queue(batch: MessageBatch<unknown>): Promise<void> {
    if (isNotificationQueue(batch.queue))
      return handleR2Notifications(batch, this.env, (p) => this.ctx.waitUntil(p));
    return videoEvents(batch, this.env, this.ctx);
  }

  /** Every minute: reap lost leases (claims do too) and re-send events whose first send failed. */
  override async scheduled(): Promise<void> {
    try {
      const reaped = await reapExpiredLeases(this.env);
      const resent = await sweepOutbox(this.env, database(this.env.DB));
      if (reaped || resent) log('info', 'sweep', { reaped, resent });
    } catch (err) {
      log('error', 'sweep failed', errorFields(err));
      throw err;
    }
  }
}
