/**
 * A license server for the tests, a Worker of its own that playback's outbound fetches reach
 * (vitest.config.ts `outboundService`). It does what a DRM license server behind playback's proxy
 * does: checks the HS256 grant in `Authorization` (signature, audience = the system in the path,
 * expiry) and answers license bytes for the challenge. Tests steer it and read what it received
 * under `/_control`:
 *   POST /_control/mode {mode}: ok | no-store | fail | reject | refuse | slow | empty
 *   GET  /_control/requests: [{ system, status, claims, challenge (base64) }]
 */
let mode = 'ok';
let received = [];

const enc = new TextEncoder();

function fromB64url(s) {
  const b64 = s.replaceAll('-', '+').replaceAll('_', '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function toB64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

async function verifyGrant(header, secret, system) {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return null;
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const ok = await crypto.subtle.verify('HMAC', key, fromB64url(m[3]), enc.encode(`${m[1]}.${m[2]}`));
  if (!ok) return null;
  const head = JSON.parse(new TextDecoder().decode(fromB64url(m[1])));
  const claims = JSON.parse(new TextDecoder().decode(fromB64url(m[2])));
  if (head.alg !== 'HS256' || claims.aud !== system || claims.exp * 1000 < Date.now()) return null;
  return claims;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/_control/mode') {
      mode = (await request.json()).mode;
      received = [];
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/_control/requests') return Response.json(received);
    const system = url.pathname.slice(1);
    if (request.method !== 'POST' || !['widevine', 'playready', 'fairplay'].includes(system))
      return new Response('no such license endpoint', { status: 404 });
    const challenge = new Uint8Array(await request.arrayBuffer());
    const claims = await verifyGrant(request.headers.get('authorization'), env.DRM_PROXY_SECRET, system);
    const record = (status) =>
      received.push({
        system,
        status,
        claims,
        challenge: toB64(challenge),
        contentType: request.headers.get('content-type'),
        requestId: request.headers.get('x-request-id'),
      });
    if (!claims) {
      record(401);
      return new Response('bad grant', { status: 401 });
    }
    if (mode === 'slow') await new Promise((r) => setTimeout(r, 2000));
    const status = { fail: 500, reject: 400, refuse: 403 }[mode] ?? 200;
    record(status);
    if (status !== 200) return new Response(`license server says ${mode}`, { status });
    if (mode === 'empty') return new Response(null, { status: 200 });
    const license = enc.encode(`${system}-license:${claims.sub}:${claims.vid}:${toB64(challenge)}`);
    return new Response(license, {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Cache-Control': mode === 'no-store' ? 'no-store' : 'max-age=600',
      },
    });
  },
};
