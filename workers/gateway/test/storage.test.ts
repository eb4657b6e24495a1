import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { type StorageGrant, signGrant, storageUrl } from '../../lib/storage-grant.ts';
import type {
  MasterClaimInput,
  MasterClaimResult,
  MasterStoredInput,
  MasterStoredResult,
} from '../../services/videos/src/storage-rpc.ts';
import { createApp } from '../src/app.ts';

const app = createApp();
const ORIGIN = 'http://gateway.test';

/** What the storage endpoint reported to the videos service, and what the service answers. */
const reports: MasterStoredInput[] = [];
let answer: () => Promise<MasterStoredResult> = async () => ({ outcome: 'accepted' });
/** Upload URLs as the service tracks them: claimed while a PUT writes, spent once stored. */
const uploadStates = new Map<string, 'claimed' | 'stored'>();
const videos = {
  claimMasterUpload: async (input: MasterClaimInput): Promise<MasterClaimResult> => {
    const state = uploadStates.get(input.key);
    if (state === 'stored') return { outcome: 'spent', detail: 'spent' };
    if (state === 'claimed') return { outcome: 'busy', detail: 'busy' };
    uploadStates.set(input.key, 'claimed');
    return { outcome: 'claimed' };
  },
  releaseMasterUpload: async (input: MasterClaimInput) => {
    if (uploadStates.get(input.key) === 'claimed') uploadStates.delete(input.key);
  },
  masterStored: async (input: MasterStoredInput) => {
    reports.push(input);
    const result = await answer();
    if (result.outcome === 'accepted') uploadStates.set(input.key, 'stored');
    return result;
  },
};

async function storage(url: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), { ...env, VIDEOS: videos } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function urlFor(grant: Partial<StorageGrant> & Pick<StorageGrant, 'method' | 'key'>, path = grant.key) {
  const token = await signGrant(env.STORAGE_SIGNING_KEY, {
    exp: Math.floor(Date.now() / 1000) + 600,
    ...grant,
  });
  return storageUrl(ORIGIN, token, path);
}

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const put = (url: string, body: Uint8Array, headers: Record<string, string> = {}) =>
  storage(url, {
    method: 'PUT',
    body,
    headers: { 'content-length': String(body.length), 'content-type': 'video/mp4', ...headers },
  });

beforeEach(() => {
  reports.length = 0;
  uploadStates.clear();
  answer = async () => ({ outcome: 'accepted' });
});

describe('PUT /storage/<token>/<key>', () => {
  it('streams the body into R2, typed by its key rather than by the uploader', async () => {
    const body = bytes(3 * 1024 * 1024 + 17);
    const res = await put(await urlFor({ method: 'PUT', key: 'renditions/v1/j1/720p/seg_00001.m4s' }), body, {
      'content-type': 'video/iso.segment',
    });
    expect(res.status).toBe(200);
    const stored = await env.MEDIA.get('renditions/v1/j1/720p/seg_00001.m4s');
    expect(stored!.size).toBe(body.length);
    expect(stored!.httpMetadata?.contentType).toBe('video/mp4');
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(body);
    expect(res.headers.get('etag')).toBe(stored!.httpEtag);
  });

  it('writes any key below a prefix grant, and nothing outside it', async () => {
    const prefix = await urlFor({ method: 'PUT', key: 'renditions/v2/j2/', prefix: true });
    expect((await put(`${prefix}master.m3u8`, bytes(10))).status).toBe(200);
    expect((await put(`${prefix}480p/index.m3u8`, bytes(10))).status).toBe(200);
    const outside = await put(prefix.replace('renditions/v2/j2/', 'renditions/v2/other/x'), bytes(10));
    expect(outside.status).toBe(403);
    expect(await env.MEDIA.head('renditions/v2/other/x')).toBeNull();
  });

  it('refuses a body over the signed size limit with 413 and stores nothing', async () => {
    const url = await urlFor({ method: 'PUT', key: 'masters/v3/big', maxBytes: 1000 });
    const res = await put(url, bytes(1001));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await env.MEDIA.head('masters/v3/big')).toBeNull();
    expect((await put(url, bytes(1000))).status).toBe(200);
  });

  it('refuses another length than an announced exact size', async () => {
    const url = await urlFor({ method: 'PUT', key: 'masters/v3/exact', maxBytes: 100, exactSize: true });
    expect((await put(url, bytes(99))).status).toBe(400);
    expect((await put(url, bytes(100))).status).toBe(200);
  });

  it('needs a Content-Length (411) and holds the body to it', async () => {
    const url = await urlFor({ method: 'PUT', key: 'masters/v3/chunked' });
    const stream = new Blob([bytes(100)]).stream();
    const res = await storage(url, { method: 'PUT', body: stream });
    expect(res.status).toBe(411);
    expect(((await res.json()) as { status: number }).status).toBe(411);
    const short = await storage(url, {
      method: 'PUT',
      body: new Blob([bytes(50)]).stream(),
      headers: { 'content-length': '100' },
    });
    expect(short.status).toBe(400);
    expect(await env.MEDIA.head('masters/v3/chunked')).toBeNull();
  });

  it('holds the body to the signed Content-Type', async () => {
    const url = await urlFor({ method: 'PUT', key: 'masters/v3/typed', contentType: 'video/mp4' });
    expect((await put(url, bytes(10), { 'content-type': 'text/html' })).status).toBe(403);
    expect((await put(url, bytes(10), { 'content-type': 'video/mp4' })).status).toBe(200);
  });

  it('reports a stored master to the videos service before answering', async () => {
    const url = await urlFor({
      method: 'PUT',
      key: 'masters/vid_a/upl_1',
      master: { videoId: 'vid_a', version: 'upl_1' },
    });
    const res = await put(url, bytes(4096));
    expect(res.status).toBe(200);
    const head = await env.MEDIA.head('masters/vid_a/upl_1');
    expect(reports).toEqual([
      {
        videoId: 'vid_a',
        key: 'masters/vid_a/upl_1',
        size: 4096,
        etag: head!.etag,
        contentType: 'video/mp4',
      },
    ]);
  });

  it('passes on the service refusing a master, and answers 502 when it cannot be told', async () => {
    const url = await urlFor({
      method: 'PUT',
      key: 'masters/vid_b/upl_1',
      master: { videoId: 'vid_b', version: 'upl_1' },
    });
    answer = async () => ({ outcome: 'rejected', detail: 'too big' });
    const rejected = await put(url, bytes(10));
    expect(rejected.status).toBe(400);
    expect(((await rejected.json()) as { detail: string }).detail).toBe('too big');
    answer = async () => {
      throw new Error('videos is down');
    };
    const down = await put(url, bytes(10));
    expect(down.status).toBe(502);
    expect(await down.text()).not.toContain('videos is down');
  });

  it('a second PUT to a spent master URL is refused with 409 and leaves the stored master alone', async () => {
    const key = 'masters/vid_s/upl_1';
    const url = await urlFor({ method: 'PUT', key, master: { videoId: 'vid_s', version: 'upl_1' } });
    expect((await put(url, bytes(64, 1))).status).toBe(200);
    const first = await env.MEDIA.head(key);
    const again = await put(url, bytes(64, 2));
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect((await env.MEDIA.head(key))!.etag).toBe(first!.etag);
    expect(reports.map((r) => r.etag)).toEqual([first!.etag]);
  });

  it('a PUT that failed may be retried on the same URL', async () => {
    const key = 'masters/vid_r/upl_1';
    const url = await urlFor({ method: 'PUT', key, master: { videoId: 'vid_r', version: 'upl_1' } });
    // Announces 100 bytes, sends 10: R2 keeps nothing and the claim is released.
    const short = await storage(url, {
      method: 'PUT',
      body: bytes(10),
      headers: { 'content-length': '100', 'content-type': 'video/mp4' },
    }).catch(() => undefined);
    expect(short?.status ?? 400).toBeGreaterThanOrEqual(400);
    answer = async () => {
      throw new Error('videos is down');
    };
    expect((await put(url, bytes(32, 3))).status).toBe(502);
    answer = async () => ({ outcome: 'accepted' });
    const retried = await put(url, bytes(32, 4));
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { etag: string }).etag).toBe((await env.MEDIA.head(key))!.etag);
  });

  it('uploads multipart parts and answers each part ETag', async () => {
    const key = 'masters/vid_m/upl_1';
    const upload = await env.MEDIA.createMultipartUpload(key);
    const partSize = 5 * 1024 * 1024;
    const parts = [bytes(partSize, 1), bytes(1234, 2)];
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const url = await urlFor({
        method: 'PUT',
        key,
        maxBytes: part.length,
        exactSize: true,
        part: { uploadId: upload.uploadId, number: i + 1 },
      });
      const res = await put(url, part);
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag')!);
    }
    expect(reports).toEqual([]);
    await env.MEDIA.resumeMultipartUpload(key, upload.uploadId).complete(
      etags.map((etag, i) => ({ partNumber: i + 1, etag: etag.replaceAll('"', '') })),
    );
    const whole = await env.MEDIA.get(key);
    expect(whole!.size).toBe(partSize + 1234);
  });
});

describe('GET and HEAD /storage/<token>/<key>', () => {
  const key = 'renditions/vg/jg/master.m3u8';
  const content = bytes(1000, 3);

  beforeEach(async () => {
    await env.MEDIA.put(key, content, { httpMetadata: { contentType: 'application/vnd.apple.mpegurl' } });
  });

  it('answers the object with its type, length and ETag', async () => {
    const res = await storage(await urlFor({ method: 'GET', key }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(content);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await storage(await urlFor({ method: 'GET', key }), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(await res.text()).toBe('');
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const url = await urlFor({ method: 'GET', key });
    const cases: [string, number, number][] = [
      ['bytes=10-19', 10, 19],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=995-5000', 995, 999],
    ];
    for (const [range, first, last] of cases) {
      const res = await storage(url, { headers: { range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${first}-${last}/1000`);
      expect(res.headers.get('content-length')).toBe(String(last - first + 1));
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(content.slice(first, last + 1));
    }
  });

  it('answers 416 with the size for a range past the end', async () => {
    const res = await storage(await urlFor({ method: 'GET', key }), { headers: { range: 'bytes=1000-' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */1000');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { status: number }).status).toBe(416);
  });

  it('answers 304 to a matching If-None-Match, and the whole object to a stale If-Range', async () => {
    const url = await urlFor({ method: 'GET', key });
    const tag = (await storage(url)).headers.get('etag')!;
    expect((await storage(url, { headers: { 'if-none-match': tag } })).status).toBe(304);
    const stale = await storage(url, { headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('answers 404 problem+json for a signed key that holds nothing', async () => {
    const res = await storage(await urlFor({ method: 'GET', key: 'renditions/none/x' }));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('reads public posters without a token, and only those', async () => {
    await env.MEDIA.put('public/posters/vp/jp.jpg', bytes(64), {
      httpMetadata: { contentType: 'image/jpeg' },
    });
    const poster = await storage(`${ORIGIN}/storage/public/posters/vp/jp.jpg`);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(poster.headers.get('cache-control')).toContain('immutable');
    expect((await storage(`${ORIGIN}/storage/public/posters/vp/jp.jpg`, { method: 'PUT' })).status).toBe(405);
    expect((await storage(`${ORIGIN}/storage/public/..%2F${key}`)).status).toBe(404);
  });
});
