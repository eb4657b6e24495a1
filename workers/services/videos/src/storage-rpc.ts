/**
 * What `masterStored`, the RPC the gateway's storage endpoint calls on the videos service once it
 * has stored a master, takes and answers.
 */
export interface MasterStoredInput {
  videoId: string;
  key: string;
  size: number;
  etag: string;
  contentType?: string | undefined;
}

export type MasterOutcome = 'accepted' | 'duplicate' | 'superseded' | 'rejected' | 'unknown';

export interface MasterStoredResult {
  outcome: MasterOutcome;
  detail?: string;
}
