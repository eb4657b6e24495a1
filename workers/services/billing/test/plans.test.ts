import { describe, expect, it } from 'vitest';
import { admin, anonymous, billing, newUser, testEnv } from './support/service.ts';

const b = billing('local');
const uniquePlan = () => `plan-${crypto.randomUUID().slice(0, 8)}`;

async function audit(subjectId: string) {
  const { results } = await testEnv.DB.prepare(
    'SELECT action, actor_id, before, after FROM audit_log WHERE subject_id = ? ORDER BY at, rowid',
  )
    .bind(subjectId)
    .all<{ action: string; actor_id: string; before: string | null; after: string | null }>();
  return results.map((r) => ({
    ...r,
    before: r.before && JSON.parse(r.before),
    after: r.after && JSON.parse(r.after),
  }));
}

describe('plans', () => {
  it('lists the seeded plans, cheapest first, differing in resolution and streams', async () => {
    const res = await b.call('billing.listPlans', {}, anonymous);
    expect(res.status).toBe(200);
    const seeded = res.body.filter((p: any) => ['basic', 'standard', 'premium'].includes(p.planId));
    expect(seeded).toEqual([
      {
        planId: 'basic',
        name: 'Basic',
        price: 799,
        currency: 'usd',
        interval: 'month',
        maxResolution: 480,
        maxStreams: 1,
        trialDays: 0,
        active: true,
      },
      {
        planId: 'standard',
        name: 'Standard',
        price: 1399,
        currency: 'usd',
        interval: 'month',
        maxResolution: 1080,
        maxStreams: 2,
        trialDays: 7,
        active: true,
      },
      {
        planId: 'premium',
        name: 'Premium',
        price: 1999,
        currency: 'usd',
        interval: 'month',
        maxResolution: 2160,
        maxStreams: 4,
        trialDays: 0,
        active: true,
      },
    ]);
    expect(res.headers?.ETag).toMatch(/^W\/"plans-/);
  });

  it('admins add and change plans, audit-logged; the list and its ETag change at once', async () => {
    const planId = uniquePlan();
    const before = await b.call('billing.listPlans', {}, anonymous);
    const created = await b.call(
      'billing.createPlan',
      { body: { planId, name: 'Family', price: 2499, maxResolution: 2160, maxStreams: 6 } },
      admin,
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      planId,
      name: 'Family',
      price: 2499,
      currency: 'usd',
      interval: 'month',
      maxResolution: 2160,
      maxStreams: 6,
      trialDays: 0,
      active: true,
    });
    const listed = await b.call('billing.listPlans', {}, anonymous);
    expect(listed.headers?.ETag).not.toBe(before.headers?.ETag);
    expect(listed.body.map((p: any) => p.planId)).toContain(planId);

    const updated = await b.call(
      'billing.updatePlan',
      { params: { planId }, body: { name: 'Family+', maxStreams: 8 } },
      admin,
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Family+', maxStreams: 8, price: 2499 });
    const relisted = await b.call('billing.listPlans', {}, anonymous);
    expect(relisted.headers?.ETag).not.toBe(listed.headers?.ETag);
    expect(relisted.body.find((p: any) => p.planId === planId)).toMatchObject({
      name: 'Family+',
      maxStreams: 8,
    });

    expect(await audit(planId)).toEqual([
      {
        action: 'plan.create',
        actor_id: 'usr_admin',
        before: null,
        after: expect.objectContaining({ name: 'Family' }),
      },
      {
        action: 'plan.update',
        actor_id: 'usr_admin',
        before: expect.objectContaining({ name: 'Family', maxStreams: 6 }),
        after: expect.objectContaining({ name: 'Family+', maxStreams: 8 }),
      },
    ]);
    expect(
      (
        await b.call(
          'billing.createPlan',
          { body: { planId, name: 'Again', price: 1, maxResolution: 480, maxStreams: 1 } },
          admin,
        )
      ).status,
    ).toBe(409);
    expect(
      (await b.call('billing.updatePlan', { params: { planId: 'nope' }, body: { name: 'x' } }, admin)).status,
    ).toBe(404);
  });

  it('a retired plan leaves the list and takes no new subscribers; its subscribers keep it', async () => {
    const planId = uniquePlan();
    await b.call(
      'billing.createPlan',
      { body: { planId, name: 'Old', price: 500, maxResolution: 720, maxStreams: 1 } },
      admin,
    );
    const subscriber = newUser();
    await b.subscribe(subscriber, planId);
    await b.call('billing.updatePlan', { params: { planId }, body: { active: false } }, admin);
    expect((await b.call('billing.listPlans', {}, anonymous)).body.map((p: any) => p.planId)).not.toContain(
      planId,
    );
    const late = newUser();
    const res = await b.call(
      'billing.subscribe',
      { body: { userId: late.userId, planId, paymentMethod: 'pm_card_visa' } },
      late,
    );
    expect(res.status).toBe(404);
    expect(await b.entitlementAt(subscriber.userId, Date.now())).toMatchObject({
      active: true,
      planId,
      maxResolution: 720,
    });
  });

  it('a new price applies to new subscribers; existing ones renew at the price they signed up at', async () => {
    const planId = uniquePlan();
    await b.call(
      'billing.createPlan',
      { body: { planId, name: 'Priced', price: 1000, maxResolution: 1080, maxStreams: 2 } },
      admin,
    );
    const early = newUser();
    await b.subscribe(early, planId);
    await b.call('billing.updatePlan', { params: { planId }, body: { price: 1500 } }, admin);
    const late = newUser();
    await b.subscribe(late, planId);
    const paid = async (userId: string) =>
      (await b.call('billing.listInvoices', { params: { userId } }, admin)).body.map(
        (i: any) => i.amountPaid,
      );
    expect(await paid(late.userId)).toEqual([1500]);
    const end = Date.parse(
      (await b.call('billing.getSubscription', { params: { userId: early.userId } }, early)).body
        .currentPeriodEnd,
    );
    await b.clock(end + 60_000, early.userId);
    expect(await paid(early.userId)).toEqual([1000, 1000]);
  });
});
