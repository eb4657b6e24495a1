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
    const ready = await gateway('/readyz', {
      vars,
      headers: bearer(await signToken({ sub: 'usr_root', roles: ['admin'] })),
    });
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

  it('/internal/* answers only the internal networks, also where a route names no group', async () => {
    expect((await gateway('/internal/fixture', { ip: '10.1.2.3' })).status).toBe(200);
    expect((await gateway('/internal/fixture', { ip: '198.51.100.7' })).status).toBe(403);
  });

  it('outside development, /internal/* is refused when no internal allow-list is configured', async () => {
    for (const ENVIRONMENT of ['production', 'staging', 'test'] as const) {
      for (const IP_RULES of [
        '{}',
        '{"internal":{"deny":["203.0.113.0/24"]}}',
        '{"*":{"allow":["10.0.0.0/8"]}}',
      ]) {
        const vars = { ENVIRONMENT, IP_RULES };
        const res = await gateway('/internal/fixture', {
          ip: '10.1.2.3',
          vars,
          origin: 'https://gateway.test',
        });
        expect(res.status, `${ENVIRONMENT} ${IP_RULES}`).toBe(403);
        const dlq = await gateway('/internal/dlq/videos-events', {
          ip: '10.1.2.3',
          vars,
          origin: 'https://gateway.test',
          headers: bearer(await signToken({ sub: 'usr_root', roles: ['admin'] })),
        });
        expect(dlq.status).toBe(403);
      }
      // Other routes are not affected.
      const open = await gateway('/fixture/public', {
        vars: { ENVIRONMENT, IP_RULES: '{}' },
        origin: 'https://gateway.test',
      });
      expect(open.status).toBe(200);
    }
    const dev = await gateway('/internal/fixture', {
      ip: '10.1.2.3',
      vars: { ENVIRONMENT: 'development', IP_RULES: '{}' },
    });
    expect(dev.status).toBe(200);
  });

  it('deny-lists per route group', async () => {
    expect((await gateway('/fixture/blocked', { ip: '203.0.113.50' })).status).toBe(403);
    expect((await gateway('/fixture/blocked', { ip: '198.51.100.1' })).status).toBe(200);
  });
});

describe('CORS', () => {
  const corsHeaders = (res: Response) =>
    [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
  const preflight = {
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization',
  };

  it('a disallowed origin gets no CORS headers at all', async () => {
    const origin = 'https://evil.example';
    const read = await gateway('/fixture/public', { headers: { Origin: origin } });
    expect(read.status).toBe(200);
    expect(corsHeaders(read)).toEqual([]);
    const pre = await gateway('/fixture/items', {
      method: 'OPTIONS',
      headers: { Origin: origin, ...preflight },
    });
    expect(corsHeaders(pre)).toEqual([]);
    expect(pre.headers.get('vary')).toContain('Origin');
  });

  it('an allowed origin gets a preflight answer that carries the security headers too', async () => {
    const res = await gateway('/fixture/items', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', ...preflight },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Strict-Transport-Security')).toContain('max-age=');
    expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('X-Request-Id')).toBeTruthy();
  });

  it('the gateway always allows its own public origin, whatever the allow-list says', async () => {
    const vars = { PUBLIC_ORIGIN: 'http://127.0.0.1:9123' } as never;
    const own = await gateway('/fixture/items', {
      method: 'OPTIONS',
      vars,
      headers: { Origin: 'http://127.0.0.1:9123', ...preflight },
    });
    expect(own.status).toBe(204);
    expect(own.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:9123');
    const otherPort = await gateway('/fixture/public', {
      vars,
      headers: { Origin: 'http://127.0.0.1:8787' },
    });
    expect(corsHeaders(otherPort)).toEqual([]);
  });

  it('a wildcard allow-list admits any origin, never with credentials', async () => {
    const res = await gateway('/fixture/public', {
      vars: { CORS_ORIGINS: '*' },
      headers: { Origin: 'https://player.example' },
    });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });
});

describe('/readyz', () => {
  const authDown = {
    AUTH: {
      jwks: async () => JSON.parse(env.JWKS_JSON),
      ready: async () => {
        throw new Error('auth D1 at 10.1.2.3:5432 refused the connection');
      },
    },
  } as never;

  it('/readyz tells an anonymous caller nothing about its dependencies', async () => {
    const up = await gateway('/readyz');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready' });
    const down = await gateway('/readyz', { vars: authDown });
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text)).toEqual({ status: 'not_ready' });
    expect(text).not.toMatch(/auth|10\.1\.2\.3|refused/);
  });

  it('a viewer learns no more than an anonymous caller', async () => {
    const res = await gateway('/readyz', { vars: authDown, headers: bearer(await signToken()) });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready' });
  });

  it('an admin and the metrics token see every check', async () => {
    for (const headers of [
      bearer(await signToken({ sub: 'usr_root', roles: ['admin'] })),
      { 'x-metrics-token': env.METRICS_TOKEN },
    ]) {
      const res = await gateway('/readyz', { vars: authDown, headers });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(body.status).toBe('not_ready');
      expect(body.checks.auth).toMatchObject({ ok: false });
      expect(body.checks.kv?.ok).toBe(true);
    }
  });

  it('a wrong metrics token is refused, not treated as anonymous', async () => {
    for (const token of ['wrong', `${env.METRICS_TOKEN}x`, env.METRICS_TOKEN.slice(0, -1)]) {
      const res = await gateway('/readyz', { headers: { 'x-metrics-token': token } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});
