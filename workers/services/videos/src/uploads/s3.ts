import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type {
  CompletedPart,
  MasterStorage,
  MasterTarget,
  PartTarget,
  PresignedRequest,
} from './interface.ts';

export interface R2S3Options {
  accountId: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The signing clock (tests pin it). */
  now?: () => Date;
  /** Where S3 API calls go (tests point it at a recorder); defaults to R2's endpoint. */
  endpoint?: string;
}

/** R2's S3-compatible endpoint for an account; buckets are addressed path-style. */
export function r2Endpoint(accountId: string): string {
  return `https://${accountId}.r2.cloudflarestorage.com`;
}

/**
 * Production mode: SigV4 presigned URLs against R2's S3 API. A presigned PUT cannot carry a size
 * range, so an announced size is signed as Content-Length (R2 rejects any other length) and masters
 * of unannounced size are checked against MAX_MASTER_BYTES when they land.
 */
export class S3MasterStorage implements MasterStorage {
  readonly mode = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly now: () => Date;

  constructor(options: R2S3Options) {
    this.bucket = options.bucket;
    this.now = options.now ?? (() => new Date());
    this.client = new S3Client({
      region: 'auto',
      endpoint: options.endpoint ?? r2Endpoint(options.accountId),
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Otherwise the SDK signs a CRC32 of the *empty* body into presigned PUTs, which R2 then
      // enforces against the real body.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private expiresIn(expiresAt: Date): number {
    return Math.max(1, Math.floor((expiresAt.getTime() - this.now().getTime()) / 1000));
  }

  /**
   * The URL is single use: `If-None-Match: *` is signed in, so R2 refuses (412) a second PUT once the
   * master exists and the stored bytes can never change under the etag the service registered.
   */
  async presignPut(t: MasterTarget): Promise<PresignedRequest> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: t.key,
      IfNoneMatch: '*',
      ...(t.contentType ? { ContentType: t.contentType } : {}),
      ...(t.size !== undefined ? { ContentLength: t.size } : {}),
    });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: this.expiresIn(t.expiresAt),
      signingDate: this.now(),
      signableHeaders: new Set(['if-none-match', ...(t.contentType ? ['content-type'] : [])]),
    });
    return {
      url,
      method: 'PUT',
      headers: { 'If-None-Match': '*', ...(t.contentType ? { 'Content-Type': t.contentType } : {}) },
      expiresAt: t.expiresAt,
    };
  }

  async createMultipart(key: string, contentType?: string): Promise<string> {
    const command = new CreateMultipartUploadCommand({
      Bucket: this.bucket,
      Key: key,
      ...(contentType ? { ContentType: contentType } : {}),
    });
    const url = await getSignedUrl(
      this.client,
      command,
      this.callSigning(contentType ? ['content-type'] : []),
    );
    const xml = await send(url, 'POST', contentType ? { headers: { 'content-type': contentType } } : {});
    const uploadId = xmlText(xml, 'UploadId');
    if (!uploadId) throw new Error('R2 answered CreateMultipartUpload without an UploadId');
    return uploadId;
  }

  async presignPart(t: PartTarget): Promise<PresignedRequest> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: t.key,
      UploadId: t.multipartId,
      PartNumber: t.partNumber,
      ContentLength: t.partBytes,
    });
    const url = await getSignedUrl(this.client, command, {
      expiresIn: this.expiresIn(t.expiresAt),
      signingDate: this.now(),
    });
    return { url, method: 'PUT', headers: {}, expiresAt: t.expiresAt };
  }

  async completeMultipart(key: string, multipartId: string, parts: CompletedPart[]): Promise<void> {
    const body =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      parts
        .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`)
        .join('') +
      '</CompleteMultipartUpload>';
    const command = new CompleteMultipartUploadCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: multipartId,
    });
    const url = await getSignedUrl(this.client, command, this.callSigning());
    const xml = await send(url, 'POST', { body, headers: { 'content-type': 'application/xml' } });
    // S3 may answer 200 and still report an error in the body when assembling fails.
    if (xmlText(xml, 'Code'))
      throw new Error(`R2 refused to complete: ${xmlText(xml, 'Code')} ${xmlText(xml, 'Message') ?? ''}`);
  }

  async abortMultipart(key: string, multipartId: string): Promise<void> {
    const command = new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: multipartId });
    await send(await getSignedUrl(this.client, command, this.callSigning()), 'DELETE', {});
  }

  /** Short-lived presigning for the service's own S3 API calls (see `send`). */
  private callSigning(signedHeaders: string[] = []) {
    return { expiresIn: 300, signingDate: this.now(), signableHeaders: new Set(signedHeaders) };
  }
}

/**
 * Sends one S3 API call as a presigned request. The SDK's own transport parses answers with
 * DOMParser, which Workers do not have; the few multipart answers are small enough to read here.
 */
async function send(url: string, method: 'POST' | 'DELETE', init: RequestInit): Promise<string> {
  const res = await fetch(url, { method, ...init });
  const text = await res.text();
  if (!res.ok)
    throw new Error(
      `R2 answered ${res.status} ${xmlText(text, 'Code') ?? ''}: ${xmlText(text, 'Message') ?? ''}`,
    );
  return text;
}

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]
    ?.replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
