/** The state names of videos, jobs, uploads and claims (no imports: the gateway's contract uses them). */
export const VIDEO_STATUSES = ['pending', 'uploaded', 'processing', 'ready', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

export const JOB_STATES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const UPLOAD_STATES = ['issued', 'stored', 'superseded', 'rejected', 'aborted'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

export const CLAIM_OUTCOMES = [
  'running',
  'succeeded',
  'failed',
  'lease_expired',
  'aborted',
  'cancelled',
  /** The runner was revoked; the job went back to pending without spending an attempt. */
  'revoked',
] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];
