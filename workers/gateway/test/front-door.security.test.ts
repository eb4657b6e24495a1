import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { forgetJwks } from '../src/auth/jwks.ts';
import { calls, gateway, otherKeyPair } from './support/fixture.ts';
import { signToken, unsignedToken } from './support/tokens.ts';

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function expect401(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer /);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
}

describe('tokens at the door', () => {
  it('accepts a valid token for the owner of the resource', async () => {
    const res = await gateway('/fixture/users/usr_alice', {
      headers: bearer(await signToken({ sub: 'usr_alice' })),
    });
    expect(res.status).toBe(200);
  });

  it('401 without credentials on a protected route', async () => {
    await expect401(await gateway('/fixture/users/usr_alice'));
  });

  it('refuses a forged token (signed by another key with the same kid)', async () => {
    const { privateKey } = await otherKeyPair();
    await expect401(
      await gateway('/fixture/users/usr_alice', {
        headers: bearer(await signToken({ sub: 'usr_alice', key: privateKey })),
      }),
    );
  });

  it('refuses an expired token', async () => {
    const token = await signToken({ sub: 'usr_alice', expiresIn: Math.floor(Date.now() / 1000) - 60 });
    await expect401(await gateway('/fixture/users/usr_alice', { headers: bearer(token) }));
  });

  it('refuses a token issued in the future, and tolerates a clock a few seconds ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = (s: number) => signToken({ sub: 'usr_alice', issuedAt: now + s, expiresIn: now + 600 });
    await expect401(await gateway('/fixture/users/usr_alice', { headers: bearer(await ahead(120)) }));
    expect((await gateway('/fixture/users/usr_alice', { headers: bearer(await ahead(30)) })).status).toBe(
      200,
    );
  });

  it('refuses a token that lives longer than 15 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const living = (s: number) => signToken({ sub: 'usr_alice', issuedAt: now, expiresIn: now + s });
    await expect401(await gateway('/fixture/users/usr_alice', { headers: bearer(await living(3600)) }));
    expect((await gateway('/fixture/users/usr_alice', { headers: bearer(await living(900)) })).status).toBe(
      200,
    );
  });

  it('refuses alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({
      sub: 'usr_alice',
      roles: ['admin'],
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      iat: now,
      exp: now + 600,
    });
    await expect401(await gateway('/fixture/users/usr_alice', { headers: bearer(token) }));
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const jwk = (JSON.parse((env as unknown as { JWKS_JSON: string }).JWKS_JSON) as { keys: { n: string }[] })
      .keys[0]!;
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key-1' })
      .setSubject('usr_alice')
      .setIssuer(env.JWT_ISSUER)
      .setAudience(env.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(secret);
    await expect401(await gateway('/fixture/users/usr_alice', { headers: bearer(token) }));
  });

  it('refuses a wrong issuer or audience', async () => {
    await expect401(
      await gateway('/fixture/users/usr_alice', {
        headers: bearer(await signToken({ sub: 'usr_alice', iss: 'evil' })),
      }),
    );
    await expect401(
      await gateway('/fixture/users/usr_alice', {
        headers: bearer(await signToken({ sub: 'usr_alice', aud: 'other-api' })),
      }),
    );
  });

  it('refuses a malformed Authorization header and bad credentials even on public routes', async () => {
    await expect401(await gateway('/fixture/public', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }));
    await expect401(await gateway('/fixture/public', { headers: bearer('not.a.jwt') }));
  });

  it('takes ?token= only on routes that allow it', async () => {
    const token = await signToken({ sub: 'usr_alice' });
    expect((await gateway(`/fixture/query-token?token=${token}`)).status).toBe(200);
    await expect401(await gateway(`/fixture/users/usr_alice?token=${token}`));
  });
});

describe('when the auth service is down', () => {
  it('keeps verifying tokens from the key set it cached, and says which dependency failed', async () => {
    const token = await signToken({ sub: 'usr_alice' });
    expect((await gateway('/fixture/users/usr_alice', { headers: bearer(token) })).status).toBe(200);
    forgetJwks(); // a fresh isolate: memory is empty, KV still holds the key set
    const down = {
      jwks: async () => {
        throw new Error('auth is unreachable');
      },
      verifyApiKey: async () => {
        throw new Error('auth is unreachable');
      },
      handle: async () => {
        throw new Error('auth is unreachable');
      },
      ready: async () => {
        throw new Error('auth is unreachable');
      },
    };
    const vars = { AUTH: down } as never;
    const again = await gateway('/fixture/users/usr_alice', {
      headers: bearer(await signToken({ sub: 'usr_alice' })),
      vars,
    });
    expect(again.status).toBe(200);
    const ready = await gateway('/readyz', { vars });
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.checks.auth).toMatchObject({ ok: false, error: 'auth is unreachable' });
    expect(body.checks.videos?.ok).toBe(true);
  });
});

describe('roles, ownership and scopes', () => {
  it('403 for a viewer on an admin route, 204 for an admin', async () => {
    const viewer = await gateway('/fixture/items/1', {
      method: 'DELETE',
      headers: bearer(await signToken()),
    });
    expect(viewer.status).toBe(403);
    const admin = await gateway('/fixture/items/1', {
      method: 'DELETE',
      headers: bearer(await signToken({ roles: ['admin'] })),
    });
    expect(admin.status).toBe(204);
  });

  it("403 for another user's resource; an admin may read it", async () => {
    const other = await gateway('/fixture/users/usr_bob', {
      headers: bearer(await signToken({ sub: 'usr_alice' })),
    });
    expect(other.status).toBe(403);
    const admin = await gateway('/fixture/users/usr_bob', {
      headers: bearer(await signToken({ sub: 'usr_root', roles: ['admin'] })),
    });
    expect(admin.status).toBe(200);
  });

  it('accepts an API key with the route scope and refuses one without it', async () => {
    const body = JSON.stringify({ name: 'x', count: 1 });
    const headers = { 'content-type': 'application/json' };
    const good = await gateway('/fixture/items', {
      method: 'POST',
      body,
      headers: { ...headers, 'x-api-key': 'key-items' },
    });
    expect(good.status).toBe(201);
    expect(calls.at(-1)!.caller.apiKey).toEqual({
      id: 'key_items',
      ownerId: 'usr_partner',
      scopes: ['videos:write'],
    });
    const wrongScope = await gateway('/fixture/items', {
      method: 'POST',
      body,
      headers: { ...headers, 'x-api-key': 'key-read' },
    });
    expect(wrongScope.status).toBe(403);
    const unknown = await gateway('/fixture/items', {
      method: 'POST',
      body,
      headers: { ...headers, 'x-api-key': 'nope' },
    });
    expect(unknown.status).toBe(401);
  });
});

describe('transport', () => {
  it('outside development, redirects plain-HTTP reads to HTTPS and refuses plain-HTTP writes', async () => {
    const vars = { ENVIRONMENT: 'production' as const };
    const read = await gateway('/fixture/public?x=1', { vars });
    expect(read.status).toBe(308);
    expect(read.headers.get('Location')).toBe('https://gateway.test/fixture/public?x=1');
    const write = await gateway('/fixture/items', {
      method: 'POST',
      vars,
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    expect(write.status).toBe(403);
    const secure = await gateway('/fixture/public', { vars, origin: 'https://gateway.test' });
    expect(secure.status).toBe(200);
  });
});

describe('client address and network rules', () => {
  it('takes the client IP from CF-Connecting-IP; X-Forwarded-For cannot spoof it', async () => {
    await gateway('/fixture/public', { ip: '198.51.100.9', headers: { 'X-Forwarded-For': '10.1.2.3' } });
    expect(calls.at(-1)!.caller.ip).toBe('198.51.100.9');
    const spoofed = await gateway('/fixture/admin-network', {
      ip: '198.51.100.9',
      headers: { 'X-Forwarded-For': '10.1.2.3', 'X-Real-IP': '10.1.2.3' },
    });
    expect(spoofed.status).toBe(403);
  });

  it('allow-lists per route group, IPv4 and IPv6', async () => {
    expect((await gateway('/fixture/admin-network', { ip: '10.20.30.40' })).status).toBe(200);
    expect((await gateway('/fixture/admin-network', { ip: '2001:db8::1' })).status).toBe(200);
    expect((await gateway('/fixture/admin-network', { ip: '2001:db9::1' })).status).toBe(403);
    expect((await gateway('/fixture/admin-network', { ip: '::ffff:10.0.0.1' })).status).toBe(200);
  });

  it('deny-lists per route group', async () => {
    expect((await gateway('/fixture/blocked', { ip: '203.0.113.50' })).status).toBe(403);
    expect((await gateway('/fixture/blocked', { ip: '198.51.100.1' })).status).toBe(200);
  });
});
