/**
 * Production's "the master landed" signal: R2 event notifications for `masters/` on a queue
 * (UPLOAD_MODE=s3, where clients PUT straight to R2 and the gateway never sees the bytes). Each
 * message ends in the same masterStored as the local storage endpoint's report. Set up with
 *
 *   wrangler queues create media-notifications-production
 *   wrangler r2 bucket notification create media-production \
 *     --event-type object-create --prefix masters/ --queue media-notifications-production
 *
 * and the consumer entry in this Worker's wrangler.jsonc (staging and production).
 */
import { z } from 'zod';
import { retryDelay } from '../../../../queues/consume.ts';
import { errorFields, log } from '../../../lib/log.ts';
import type { Env } from './config.ts';
import { type Defer, masterStored, parseMasterKey } from './master.ts';

export const NOTIFICATION_QUEUE = 'media-notifications';

const R2Notification = z.object({
  account: z.string(),
  bucket: z.string(),
  action: z.string(),
  object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional() }),
  eventTime: z.string(),
});

const STORED = new Set(['PutObject', 'CompleteMultipartUpload', 'CopyObject']);

export function isNotificationQueue(queue: string): boolean {
  return queue === NOTIFICATION_QUEUE || queue.startsWith(`${NOTIFICATION_QUEUE}-`);
}

export async function handleR2Notifications(
  batch: MessageBatch<unknown>,
  env: Env,
  defer: Defer,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = R2Notification.safeParse(message.body);
    if (!parsed.success) {
      log('warn', 'not an R2 notification; dropped', { queue: batch.queue, messageId: message.id });
      message.ack();
      continue;
    }
    const { action, object } = parsed.data;
    const master = parseMasterKey(object.key);
    if (!STORED.has(action) || !master) {
      message.ack();
      continue;
    }
    try {
      // The notification carries no Content-Type, and may be older than the object: ask R2.
      const head = await env.MEDIA.head(object.key);
      if (!head) {
        message.ack();
        continue;
      }
      const result = await masterStored(
        env,
        {
          videoId: master.videoId,
          key: object.key,
          size: head.size,
          etag: head.etag,
          contentType: head.httpMetadata?.contentType,
        },
        defer,
      );
      log('info', 'master reported by R2', { key: object.key, action, ...result });
      message.ack();
    } catch (err) {
      const delaySeconds = retryDelay(message.attempts);
      log('warn', 'R2 notification failed; retrying', { key: object.key, delaySeconds, ...errorFields(err) });
      message.retry({ delaySeconds });
    }
  }
}
