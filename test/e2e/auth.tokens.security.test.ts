import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { adminToken, client, decodeJwt, signUp } from './support/auth-client.ts';
import { genuineSigningKey, mint } from './support/auth-signing-key.ts';

async function refused(res: { status: number; headers: Headers; body: any }) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
}

describe('tokens the gateway must refuse', () => {
  it('a genuine token passes (the control for every refusal below)', async () => {
    const c = client();
    const account = await signUp(c);
    const token = await mint(await genuineSigningKey(), { sub: account.userId });
    expect((await c.call('GET', '/auth/me', { token })).status).toBe(200);
  });

  it('a forged token: signed by another key under the real kid', async () => {
    const c = client();
    const account = await signUp(c);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await mint(
      { kid: decodeJwt(account.token).header.kid, privateKey },
      { sub: account.userId, roles: ['admin'] },
    );
    await refused(await c.call('GET', '/auth/me', { token: forged }));
  });

  it('a tampered token: the payload edited after signing', async () => {
    const c = client();
    const account = await signUp(c);
    const [h, p, s] = account.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...claims, roles: ['viewer', 'admin'] })).toString(
      'base64url',
    );
    await refused(await c.call('GET', '/auth/me', { token: `${h}.${edited}.${s}` }));
  });

  it('an expired token, genuinely signed', async () => {
    const c = client();
    const account = await signUp(c);
    const token = await mint(await genuineSigningKey(), {
      sub: account.userId,
      expiresIn: -60,
      issuedAgo: 960,
    });
    await refused(await c.call('GET', '/auth/me', { token }));
  });

  it('alg: none', async () => {
    const c = client();
    const account = await signUp(c);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
      sub: account.userId,
      roles: ['admin'],
      iss: 'edge-video-auth',
      aud: 'edge-video-api',
      iat: now,
      exp: now + 300,
    })}.`;
    await refused(await c.call('GET', '/auth/me', { token }));
  });

  it('HS256 signed with the published RSA public key (algorithm confusion)', async () => {
    const c = client();
    const account = await signUp(c);
    const jwks = (await c.call('GET', '/.well-known/jwks.json')).body.keys;
    const kid = decodeJwt(account.token).header.kid;
    const jwk = jwks.find((k: any) => k.kid === kid);
    const pem = await exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as CryptoKey);
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const token = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', kid })
        .setSubject(account.userId)
        .setIssuer('edge-video-auth')
        .setAudience('edge-video-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      await refused(await c.call('GET', '/auth/me', { token }));
    }
  });

  it('a wrong issuer or audience, genuinely signed', async () => {
    const c = client();
    const account = await signUp(c);
    const key = await genuineSigningKey();
    await refused(
      await c.call('GET', '/auth/me', {
        token: await mint(key, { sub: account.userId, iss: 'evil-issuer' }),
      }),
    );
    await refused(
      await c.call('GET', '/auth/me', { token: await mint(key, { sub: account.userId, aud: 'other-api' }) }),
    );
  });

  it('a key that is not in the JWKS (unknown kid)', async () => {
    const c = client();
    const account = await signUp(c);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = (await exportJWK(publicKey)).n!.slice(0, 16);
    await refused(
      await c.call('GET', '/auth/me', { token: await mint({ kid, privateKey }, { sub: account.userId }) }),
    );
  });

  it('bad credentials are refused even on a public route', async () => {
    await refused(
      await client().call('POST', '/auth/login', {
        token: 'not.a.jwt',
        body: { email: 'a@example.com', password: 'whatever1' },
      }),
    );
  });
});

describe('refresh families over HTTP', () => {
  it('reuse of a spent refresh token revokes the whole family', async () => {
    const c = client();
    const account = await signUp(c);
    const first = await c.call('POST', '/auth/refresh', { body: { refreshToken: account.refreshToken } });
    expect(first.status).toBe(200);
    // The thief replays the old token: refused, and the victim's current token dies too.
    expect(
      (await c.call('POST', '/auth/refresh', { body: { refreshToken: account.refreshToken } })).status,
    ).toBe(401);
    const victim = await c.call('POST', '/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(victim.status).toBe(401);
  });

  it('a revoked session (logged out) cannot refresh', async () => {
    const c = client();
    const account = await signUp(c);
    expect(
      (await c.call('POST', '/auth/logout', { body: { refreshToken: account.refreshToken } })).status,
    ).toBe(204);
    expect(
      (await c.call('POST', '/auth/refresh', { body: { refreshToken: account.refreshToken } })).status,
    ).toBe(401);
  });
});

describe('signing key rotation', () => {
  it('keeps tokens signed before the rotation valid while new ones use the new key', async () => {
    const c = client();
    const account = await signUp(c);
    const before = (await c.call('GET', '/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
    const oldKid = decodeJwt(account.token).header.kid;

    const rotated = await c.call('POST', '/auth/keys/rotate', { token: await adminToken(c) });
    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toBe(oldKid);
    expect(before).toContain(rotated.body.current); // published before it signed anything

    const login = await c.call('POST', '/auth/login', {
      body: { email: account.email, password: account.password },
    });
    expect(decodeJwt(login.body.token).header.kid).toBe(rotated.body.current);
    expect((await c.call('GET', '/auth/me', { token: login.body.token })).status).toBe(200);
    expect((await c.call('GET', '/auth/me', { token: account.token })).status).toBe(200);
    const after = (await c.call('GET', '/.well-known/jwks.json')).body.keys.map((k: any) => k.kid);
    expect(after).toEqual(expect.arrayContaining([oldKid, rotated.body.current, rotated.body.next]));
  });

  it('rotation is for admins only', async () => {
    const c = client();
    const account = await signUp(c);
    expect((await c.call('POST', '/auth/keys/rotate', { token: account.token })).status).toBe(403);
    expect((await c.call('POST', '/auth/keys/rotate')).status).toBe(401);
  });
});
