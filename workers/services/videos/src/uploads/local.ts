import { signGrant, storageUrl } from '../../../../lib/storage-grant.ts';
import {
  bareEtag,
  type CompletedPart,
  type MasterStorage,
  type MasterTarget,
  type PartTarget,
  type PresignedRequest,
} from './interface.ts';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Local mode: the gateway's /storage endpoint, authorised by HMAC-signed grants, in front of R2. */
export class LocalMasterStorage implements MasterStorage {
  readonly mode = 'local' as const;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly signingKey: string,
    private readonly origin: string,
  ) {}

  async presignPut(t: MasterTarget): Promise<PresignedRequest> {
    const token = await signGrant(this.signingKey, {
      method: 'PUT',
      key: t.key,
      exp: seconds(t.expiresAt),
      maxBytes: t.size ?? t.maxBytes,
      ...(t.size !== undefined ? { exactSize: true } : {}),
      ...(t.contentType ? { contentType: t.contentType } : {}),
      master: { videoId: t.videoId, version: t.version },
    });
    return {
      url: storageUrl(this.origin, token, t.key),
      method: 'PUT',
      headers: t.contentType ? { 'Content-Type': t.contentType } : {},
      expiresAt: t.expiresAt,
    };
  }

  async createMultipart(key: string, contentType?: string): Promise<string> {
    const upload = await this.bucket.createMultipartUpload(
      key,
      contentType ? { httpMetadata: { contentType } } : {},
    );
    return upload.uploadId;
  }

  async presignPart(t: PartTarget): Promise<PresignedRequest> {
    const token = await signGrant(this.signingKey, {
      method: 'PUT',
      key: t.key,
      exp: seconds(t.expiresAt),
      maxBytes: t.partBytes,
      exactSize: true,
      part: { uploadId: t.multipartId, number: t.partNumber },
    });
    return { url: storageUrl(this.origin, token, t.key), method: 'PUT', headers: {}, expiresAt: t.expiresAt };
  }

  async completeMultipart(key: string, multipartId: string, parts: CompletedPart[]): Promise<void> {
    await this.bucket
      .resumeMultipartUpload(key, multipartId)
      .complete(parts.map((p) => ({ partNumber: p.partNumber, etag: bareEtag(p.etag) })));
  }

  async abortMultipart(key: string, multipartId: string): Promise<void> {
    await this.bucket.resumeMultipartUpload(key, multipartId).abort();
  }
}
