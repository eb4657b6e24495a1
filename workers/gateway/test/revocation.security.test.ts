import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { REVOCATION_DELAY_MS } from '../../lib/access-token.ts';
import { forgetRevocations } from '../src/auth/revocations.ts';
import { accounts, gateway, notBeforeLookups } from './support/fixture.ts';
import { signToken } from './support/tokens.ts';

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const someone = () => `usr_${crypto.randomUUID().slice(0, 12)}`;
const me = (sub: string, token: string) => gateway(`/fixture/users/${sub}`, { headers: bearer(token) });

async function expect401(res: Response, detail?: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer /);
  if (detail) expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
}

describe('revoked tokens at the door', () => {
  it("a token minted before its account's last revocation is refused; one minted after passes", async () => {
    const sub = someone();
    const revokedAt = Date.now();
    accounts.set(sub, revokedAt);
    await expect401(await me(sub, await signToken({ sub, tnb: revokedAt - 1 })), /revoked/);
    await expect401(await me(sub, await signToken({ sub })), /revoked/);
    expect((await me(sub, await signToken({ sub, tnb: revokedAt }))).status).toBe(200);
  });

  it('a token whose account no longer exists is refused', async () => {
    const sub = someone();
    accounts.set(sub, null);
    await expect401(await me(sub, await signToken({ sub })), /no longer exists/);
  });

  it('a revoked token is refused on public routes as well', async () => {
    const sub = someone();
    accounts.set(sub, Date.now());
    await expect401(await gateway('/fixture/public', { headers: bearer(await signToken({ sub })) }));
  });

  it(`a revocation takes effect at the door within ${REVOCATION_DELAY_MS} ms`, async () => {
    const sub = someone();
    const token = await signToken({ sub });
    expect((await me(sub, token)).status).toBe(200);
    accounts.set(sub, Date.now());
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < REVOCATION_DELAY_MS + 2000) {
      status = (await me(sub, token)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(REVOCATION_DELAY_MS + 250);
  });

  it('asks auth once per account within the cache window, however many requests come', async () => {
    const sub = someone();
    const token = await signToken({ sub });
    const before = notBeforeLookups.filter((u) => u === sub).length;
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => me(sub, token).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(notBeforeLookups.filter((u) => u === sub).length - before).toBe(1);
  });

  it('when auth cannot answer, a fresh isolate still refuses what was recently revoked (KV)', async () => {
    const sub = someone();
    const revokedAt = Date.now();
    accounts.set(sub, revokedAt);
    await expect401(await me(sub, await signToken({ sub })));
    forgetRevocations(); // a fresh isolate: memory is empty, KV still holds the revocation
    const down = {
      AUTH: {
        jwks: async () => JSON.parse(env.JWKS_JSON),
        tokensNotBefore: async () => {
          throw new Error('auth is unreachable');
        },
      },
    } as never;
    await expect401(
      await gateway(`/fixture/users/${sub}`, { headers: bearer(await signToken({ sub })), vars: down }),
    );
    const after = await gateway(`/fixture/users/${sub}`, {
      headers: bearer(await signToken({ sub, tnb: revokedAt })),
      vars: down,
    });
    expect(after.status).toBe(200);
  });
});
