/**
 * The videos-events consumer: VideoUploaded becomes a transcode job, VideoDeleted purges the
 * video's objects from R2. A throw retries the message with back-off (queues/consume.ts), so a
 * purge that fails half-way is finished by a later attempt.
 */
import type { EventHandlers } from '../../../../queues/consume.ts';
import { log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import { createJobForMaster } from './jobs.ts';
import { deletePrefix, videoPrefixes } from './purge.ts';

export const videoEvents: EventHandlers<Env> = {
  async VideoUploaded(event, env) {
    const outcome = await createJobForMaster(env, event.data);
    log('info', 'transcode job for upload', {
      videoId: event.data.videoId,
      masterVersion: event.data.masterVersion,
      outcome,
      eventId: event.id,
      traceparent: event.traceparent,
    });
  },
  async VideoDeleted(event, env) {
    let deleted = 0;
    for (const prefix of videoPrefixes(event.data.videoId)) deleted += await deletePrefix(env.MEDIA, prefix);
    log('info', 'video objects purged', { videoId: event.data.videoId, deleted, eventId: event.id });
  },
};
