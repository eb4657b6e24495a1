import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, call, eventsOf, signup, userCaller, verify } from './support/service.ts';

const setRoles = (userId: string, roles: string[], caller: Parameters<typeof call>[2]) =>
  call('auth.setRoles', { params: { userId }, body: { roles } }, caller);

describe('role changes', () => {
  it('an admin makes a viewer admin; the next refresh carries the role', async () => {
    const caller = await admin();
    const user = await signup({ name: 'Promoted' });
    const reply = await setRoles(user.userId, ['admin'], caller);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      userId: user.userId,
      email: user.email,
      name: 'Promoted',
      roles: ['viewer', 'admin'],
      emailVerified: false,
    });
    const pair = (await call('auth.refresh', { body: { refreshToken: user.refreshToken } })).body as {
      token: string;
    };
    expect((await verify(pair.token)).roles).toEqual(['viewer', 'admin']);
  });

  it('publishes UserRoleChanged with who changed it', async () => {
    const caller = await admin();
    const user = await signup();
    await setRoles(user.userId, ['viewer', 'admin'], caller);
    const [event] = await eventsOf('UserRoleChanged', user.userId);
    expect(event?.body.data).toEqual({
      userId: user.userId,
      roles: ['viewer', 'admin'],
      changedBy: caller.userId,
    });
  });

  it('setting the same roles again changes nothing and publishes nothing', async () => {
    const caller = await admin();
    const user = await signup();
    const reply = await setRoles(user.userId, ['viewer'], caller);
    expect(reply.status).toBe(200);
    expect(await eventsOf('UserRoleChanged', user.userId, 300)).toEqual([]);
  });

  it('an admin can be demoted while another admin remains', async () => {
    const caller = await admin();
    const user = await signup();
    await setRoles(user.userId, ['admin'], caller);
    const reply = await setRoles(user.userId, ['viewer'], caller);
    expect((reply.body as { roles: string[] }).roles).toEqual(['viewer']);
  });

  it('the last admin cannot lose the admin role', async () => {
    const caller = await admin();
    const others = await env.DB.prepare(
      `SELECT u.id FROM users u, json_each(u.roles) r WHERE r.value = 'admin' AND u.id <> ?`,
    )
      .bind(caller.userId)
      .all<{ id: string }>();
    for (const { id } of others.results) expect((await setRoles(id, ['viewer'], caller)).status).toBe(200);
    const reply = await setRoles(caller.userId!, ['viewer'], caller);
    expect(reply.status).toBe(409);
    expect((await call('auth.me', {}, caller)).body).toMatchObject({ roles: ['viewer', 'admin'] });
  });

  it('an unknown user answers 404', async () => {
    expect((await setRoles('usr_unknown', ['admin'], await admin())).status).toBe(404);
  });

  it('a viewer cannot change roles, not even their own', async () => {
    const user = await signup();
    const reply = await setRoles(user.userId, ['admin'], userCaller(user.userId));
    expect(reply.status).toBe(403);
  });
});
