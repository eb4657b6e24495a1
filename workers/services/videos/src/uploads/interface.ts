/**
 * Where masters are uploaded to. `local` signs the gateway's own storage URLs and drives multipart
 * uploads through the R2 binding; `s3` presigns R2's S3 API. Both answer the same contract, so the
 * routes depend on this interface only (UPLOAD_MODE picks the implementation).
 */
export interface PresignedRequest {
  url: string;
  method: 'PUT';
  /** Headers the client must send with the body (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface MasterTarget {
  videoId: string;
  /** The upload id, which becomes the master version once the object is stored. */
  version: string;
  key: string;
  contentType?: string | undefined;
  /** The exact size announced by the client, if it announced one. */
  size?: number | undefined;
  /** The size limit when no exact size was announced. */
  maxBytes: number;
  expiresAt: Date;
}

export interface PartTarget {
  key: string;
  multipartId: string;
  partNumber: number;
  /** The exact size of this part (every part but the last is the upload's part size). */
  partBytes: number;
  expiresAt: Date;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface MasterStorage {
  readonly mode: 'local' | 's3';
  presignPut(target: MasterTarget): Promise<PresignedRequest>;
  /** Starts a multipart upload and returns the storage's id for it. */
  createMultipart(key: string, contentType?: string): Promise<string>;
  presignPart(target: PartTarget): Promise<PresignedRequest>;
  completeMultipart(key: string, multipartId: string, parts: CompletedPart[]): Promise<void>;
  abortMultipart(key: string, multipartId: string): Promise<void>;
}

/** Part ETags travel quoted in HTTP headers; storage APIs compare the bare value. */
export function bareEtag(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}
