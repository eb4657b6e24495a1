/** The videos API as a client sees it: admin and viewer sessions, videos, uploads, waiting on states. */
import { readFile, stat } from 'node:fs/promises';
import { expect, inject } from 'vitest';
import { api } from './http.ts';

let adminSession: Promise<string> | undefined;

/** An access token of the seeded admin (POST /auth/login, as the contract says). */
export function adminToken(): Promise<string> {
  adminSession ??= (async () => {
    const res = await api('POST', '/auth/login', { body: inject('admin') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.token as string;
  })();
  return adminSession;
}

/** A fresh viewer account (every signup is a viewer). */
export async function viewerToken(): Promise<string> {
  const email = `viewer-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const res = await api('POST', '/auth/signup', {
    body: { email, password: 'viewer-password-1', name: 'Viewer' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token as string;
}

export async function createVideo(body: Record<string, unknown> = {}): Promise<{ videoId: string }> {
  const res = await api('POST', '/videos', {
    token: await adminToken(),
    body: { title: 'E2E clip', description: 'made by ffmpeg', tags: ['e2e'], ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export interface Presigned {
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  uploadId: string;
}

export async function requestUpload(videoId: string, file: string, contentType: string): Promise<Presigned> {
  const { size } = await stat(file);
  const res = await api('POST', `/videos/${videoId}/upload`, {
    token: await adminToken(),
    body: { contentType, size },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** PUTs the file to the presigned URL with the headers it came with; no other credential. */
export async function putFile(presigned: Presigned, file: string): Promise<Response> {
  return fetch(presigned.uploadUrl, {
    method: presigned.method,
    headers: presigned.headers,
    body: await readFile(file),
  });
}

export async function getVideo(videoId: string, token?: string) {
  return api('GET', `/videos/${videoId}`, { token: token ?? (await adminToken()) });
}

/** Polls GET /videos/{id} (as admin) until `done` holds; fails with the last answer otherwise. */
export async function waitForVideo(
  videoId: string,
  done: (video: any) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    last = (await getVideo(videoId)).body;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`video ${videoId} did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

export async function jobsOf(videoId: string): Promise<any[]> {
  const res = await api('GET', `/videos/${videoId}/jobs`, { token: await adminToken() });
  expect(res.status).toBe(200);
  return res.body;
}
