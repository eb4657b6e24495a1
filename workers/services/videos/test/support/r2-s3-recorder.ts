/**
 * A small stand-in for R2's S3 API, run by miniflare for every outbound request of the tests
 * (vitest.config.ts `outboundService`). It checks each request's SigV4 signature (presigned or
 * in the Authorization header) with the independent verifier and answers the multipart calls the way R2 does; nothing else is reachable.
 * `GET http://recorder.test/requests` lists what it received.
 */
import { verifyPresignedUrl, verifySignedRequest } from './sigv4.ts';

export const R2_TEST = {
  accountId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
  bucket: 'media-test',
  accessKeyId: 'R2TESTACCESSKEY',
  secretAccessKey: 'r2-test-secret-access-key',
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The request was signed in its URL (presigned) rather than in an Authorization header. */
  presigned: boolean;
  signatureValid: boolean;
  scope: string;
  body: string;
}

const received: RecordedRequest[] = [];
let uploads = 0;

const xml = (status: number, body: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { 'content-type': 'application/xml' },
  });

export async function r2S3Recorder(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === 'recorder.test') return Response.json(received);
  if (url.hostname !== `${R2_TEST.accountId}.r2.cloudflarestorage.com`)
    return new Response(`tests have no network (${url.host})`, { status: 599 });
  const body = new Uint8Array(await request.arrayBuffer());
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => {
    headers[k.toLowerCase()] = v;
  });
  const verdict = url.searchParams.has('X-Amz-Signature')
    ? await verifyPresignedUrl(request.method, request.url, headers, R2_TEST.secretAccessKey)
    : await verifySignedRequest(request.method, request.url, headers, body, R2_TEST.secretAccessKey);
  received.push({
    method: request.method,
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    presigned: url.searchParams.has('X-Amz-Signature'),
    signatureValid: verdict.ok,
    scope: verdict.scope,
    body: new TextDecoder().decode(body),
  });
  if (!verdict.ok || verdict.accessKeyId !== R2_TEST.accessKeyId)
    return xml(403, '<Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error>');
  const [, bucket, ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (bucket !== R2_TEST.bucket) return xml(404, '<Error><Code>NoSuchBucket</Code></Error>');
  if (request.method === 'POST' && url.searchParams.has('uploads')) {
    return xml(
      200,
      `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>rec-upload-${++uploads}</UploadId></InitiateMultipartUploadResult>`,
    );
  }
  if (request.method === 'POST' && url.searchParams.has('uploadId')) {
    return xml(
      200,
      `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"assembled-etag"</ETag></CompleteMultipartUploadResult>`,
    );
  }
  if (request.method === 'DELETE' && url.searchParams.has('uploadId'))
    return new Response(null, { status: 204 });
  return xml(501, '<Error><Code>NotImplemented</Code></Error>');
}
