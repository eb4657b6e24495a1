/** Daily training (03:17 UTC, off the hour when other schedules pile up); a trigger in wrangler.jsonc. */
export const TRAIN_CRON = '17 3 * * *';
