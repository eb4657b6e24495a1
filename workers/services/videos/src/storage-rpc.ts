/**
 * What the RPCs the gateway's storage endpoint calls on the videos service take and answer:
 * `claimMasterUpload` before it writes a master, `releaseMasterUpload` when the write failed, and
 * `masterStored` once the master is stored.
 */
export interface MasterStoredInput {
  videoId: string;
  key: string;
  size: number;
  etag: string;
  contentType?: string | undefined;
}

/** `spent`: the upload already stored a master (with another etag: the URL was replayed). */
export type MasterOutcome = 'accepted' | 'duplicate' | 'spent' | 'superseded' | 'rejected' | 'unknown';

export interface MasterStoredResult {
  outcome: MasterOutcome;
  detail?: string;
}

export interface MasterClaimInput {
  videoId: string;
  key: string;
}

/** `busy`: another PUT to the same URL is writing; `spent`: the URL already stored its master. */
export type MasterClaimOutcome = 'claimed' | 'busy' | 'spent' | 'superseded' | 'rejected' | 'unknown';

export interface MasterClaimResult {
  outcome: MasterClaimOutcome;
  detail?: string;
}
