import { describe, expect, it } from 'vitest';
import { EntitlementCache, entitlements } from '../src/entitlements.ts';
import { billing, newUser, service, testEnv } from './support/service.ts';

const b = billing('local');

describe('getEntitlement', () => {
  it('answers over RPC, from the cache on the second ask', async () => {
    const user = newUser();
    expect(await service.getEntitlement(user.userId)).toEqual({
      active: false,
      planId: null,
      maxResolution: 0,
      maxStreams: 0,
      until: null,
      reason: 'no_subscription',
    });
    const cache = new EntitlementCache();
    await cache.get(testEnv, user.userId);
    await cache.get(testEnv, user.userId);
    expect([cache.misses, cache.hits]).toEqual([1, 1]);
  });

  it('flips to active the moment this isolate records a subscription', async () => {
    const user = newUser();
    expect((await entitlements.get(testEnv, user.userId)).active).toBe(false);
    await b.subscribe(user, 'standard');
    expect(await entitlements.get(testEnv, user.userId)).toMatchObject({
      active: true,
      planId: 'standard',
      maxResolution: 1080,
      maxStreams: 2,
      reason: 'trialing',
    });
    // The same answer through the route.
    const res = await b.call('billing.entitlement', { params: { userId: user.userId } }, user);
    expect(res.body).toMatchObject({ active: true, planId: 'standard' });
  });

  it("another isolate's cache sees a change within ENTITLEMENT_REFRESH_MS, through the change feed", async () => {
    const other = new EntitlementCache(); // as in another isolate: this one's writes do not reach it
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    const t = Date.now();
    expect((await other.get(testEnv, user.userId, t)).planId).toBe('basic');
    await b.call('billing.changePlan', { params: { id: subscriptionId }, body: { planId: 'premium' } }, user);
    // Within the refresh interval it may still answer from memory…
    expect((await other.get(testEnv, user.userId, t + 10)).planId).toBe('basic');
    // …and no later than the interval (1 s), it has read the feed and forgotten the user.
    expect(await other.get(testEnv, user.userId, t + 1000)).toMatchObject({
      planId: 'premium',
      maxResolution: 2160,
    });
  });

  it('a cached answer expires by itself when the paid period of a canceled subscription ends', async () => {
    const cache = new EntitlementCache();
    const user = newUser();
    const { subscriptionId } = await b.subscribe(user, 'basic');
    await b.call('billing.cancel', { params: { id: subscriptionId } }, user);
    const now = Date.now();
    const during = await cache.get(testEnv, user.userId, now);
    expect(during).toMatchObject({ active: true, reason: 'canceling' });
    const end = Date.parse(during.until!);
    expect((await cache.get(testEnv, user.userId, end - 1)).active).toBe(true);
    const hits = cache.hits;
    // No webhook, no invalidation: `until` has passed, so the cache asks again.
    expect(await cache.get(testEnv, user.userId, end)).toMatchObject({ active: false, reason: 'expired' });
    expect(cache.hits).toBe(hits);
  });
});
