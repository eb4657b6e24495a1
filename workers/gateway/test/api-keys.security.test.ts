import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES } from '../../lib/api.ts';
import { gatewayRoutes } from '../src/routes/gateway-routes.ts';
import { SERVICE_ROUTES } from '../src/routes/table.ts';
import { gateway } from './support/fixture.ts';

describe('API key scopes at the door', () => {
  it('a key with the admin scope passes no admin route', async () => {
    const res = await gateway('/fixture/items/1', {
      method: 'DELETE',
      headers: { 'x-api-key': 'key-admin' },
    });
    expect(res.status).toBe(403);
  });

  it('a key with the admin scope passes no route that names another scope', async () => {
    const res = await gateway('/fixture/items', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', count: 1 }),
      headers: { 'content-type': 'application/json', 'x-api-key': 'key-admin' },
    });
    expect(res.status).toBe(403);
  });

  it('every scope a route asks for can be issued, and admin is not one of them', () => {
    const routes = [...SERVICE_ROUTES, ...gatewayRoutes().map((r) => r.route)];
    const asked = new Set(routes.flatMap((r) => r.policy.scopes ?? []));
    expect([...asked].filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s))).toEqual([]);
    expect(API_KEY_SCOPES).not.toContain('admin');
  });

  it('no key opens the routes that change privileges or read mail', () => {
    const userTokensOnly = [
      'auth.setRoles',
      'auth.deleteUser',
      'auth.createApiKey',
      'auth.revokeApiKey',
      'auth.rotateSigningKeys',
      'auth.mailbox',
    ];
    for (const id of userTokensOnly) {
      const route = SERVICE_ROUTES.find((r) => r.id === id);
      expect(route, id).toBeDefined();
      expect(route?.policy.scopes ?? [], id).toEqual([]);
    }
  });
});
