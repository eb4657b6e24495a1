import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/ids.ts';
import { database } from '../src/db/client.ts';
import { purgeExpired } from '../src/housekeeping.ts';
import { admin, call, signup } from './support/service.ts';

const DAY = 86_400_000;
const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;

describe('the hourly purge', () => {
  it('forgets expired refresh tokens, but keeps spent ones that could still be replayed', async () => {
    const user = await signup();
    const pair = (await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).body as {
      refreshToken: string;
    };
    const spentHash = await sha256Hex(user.refreshToken);
    await purgeExpired(database(env.DB), 30 * DAY);
    expect(await count('SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = ?', spentHash)).toBe(1);

    // A month later both tokens have expired: nothing they could do needs their rows.
    await purgeExpired(database(env.DB), 30 * DAY, Date.now() + 31 * DAY);
    for (const token of [user.refreshToken, pair.refreshToken]) {
      expect(
        await count('SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = ?', await sha256Hex(token)),
      ).toBe(0);
    }
  });

  it('forgets revoked families once their tokens would have expired', async () => {
    const user = await signup();
    await call('auth.logout', { body: { refreshToken: user.refreshToken } });
    await purgeExpired(database(env.DB), 30 * DAY);
    expect(await count('SELECT count(*) AS n FROM refresh_families WHERE user_id = ?', user.userId)).toBe(1);
    await purgeExpired(database(env.DB), 30 * DAY, Date.now() + 31 * DAY);
    expect(await count('SELECT count(*) AS n FROM refresh_families WHERE user_id = ?', user.userId)).toBe(0);
  });

  it('forgets expired OAuth flows', async () => {
    await call('auth.oauthStart', { params: { provider: 'google' } });
    expect(await count('SELECT count(*) AS n FROM oauth_flows')).toBeGreaterThan(0);
    await purgeExpired(database(env.DB), 30 * DAY, Date.now() + DAY);
    expect(await count('SELECT count(*) AS n FROM oauth_flows')).toBe(0);
  });

  it('forgets a retired signing key after its overlap, never a live one', async () => {
    const { retired, retiredUntil } = (await call('auth.rotateSigningKeys', {}, await admin())).body as {
      retired: string;
      retiredUntil: string;
    };
    await purgeExpired(database(env.DB), 30 * DAY, Date.parse(retiredUntil) + 1000);
    expect(await count('SELECT count(*) AS n FROM signing_keys WHERE kid = ?', retired)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM signing_keys WHERE status IN ('current', 'next')")).toBe(2);
  });
});
