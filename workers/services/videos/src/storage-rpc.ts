/**
 * The RPC the gateway's storage endpoint calls on the videos service once it has stored a master
 * (types only, so the gateway imports nothing of the videos runtime).
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

export interface VideosRpc {
  masterStored(input: MasterStoredInput, traceparent?: string): Promise<MasterStoredResult>;
}
