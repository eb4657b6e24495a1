/**
 * The billing core and outbound webhooks together: a real subscription, on either provider, reaches
 * a registered endpoint as a signed SubscriptionCreated with the event's own id.
 */
import { describe, expect, it, vi } from 'vitest';
import { billing, newUser, outbox, PROVIDERS } from './support/service.ts';
import { accepted, createEndpoint, settle, verify } from './support/webhooks.ts';

describe('billing events reach the registered endpoints', () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: a new subscription is delivered signed, once, with its event id`, async () => {
      const b = billing(provider);
      const endpoint = await createEndpoint(['SubscriptionCreated']);
      const user = newUser('hooked');
      const { subscriptionId } = await b.subscribe(user);

      const [event] = (await outbox('SubscriptionCreated')).filter((e) => e.data.userId === user.userId);
      expect(event).toBeDefined();
      await vi.waitFor(async () => {
        await settle(endpoint.endpointId);
        expect((await accepted(endpoint.name)).length).toBeGreaterThan(0);
      });
      const deliveries = (await accepted(endpoint.name)).filter((r) => r.headers['webhook-id'] === event!.id);
      expect(deliveries).toHaveLength(1);
      const payload = verify(deliveries[0]!, endpoint.secret);
      expect(payload.type).toBe('SubscriptionCreated');
      expect(payload.data).toMatchObject({ userId: user.userId, subscriptionId });
    });
  }
});
