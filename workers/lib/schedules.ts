/** The schedule of the service kit's own upkeep (outbox sweep, processed-id pruning); every service has it. */
export const UPKEEP_CRON = '* * * * *';
