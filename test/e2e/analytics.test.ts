/**
 * Analytics through the whole platform (ClickHouse as the store, the real local queues): what
 * POST /events takes and refuses, domain events arriving by themselves, and ClickHouse stopped in
 * the middle of a stream of events: nothing is lost and nothing counts twice once it is back.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../scripts/platform.ts';
import { analyticsClickHouse, clickHouseCount } from './support/analytics-clickhouse.ts';
import { adminToken, client, signUp } from './support/auth-client.ts';

const HOUR = 3_600_000;
const range = () => ({
  from: new Date(Date.now() - HOUR).toISOString(),
  to: new Date(Date.now() + 10 * 60_000).toISOString(),
});

async function metric(token: string, type: string) {
  const { from, to } = range();
  return client().call('GET', `/metrics?type=${encodeURIComponent(type)}&from=${from}&to=${to}&interval=1h`, {
    token,
  });
}

/** Polls GET /metrics until its count is `want` (or the deadline passes); the last count. */
async function countReaches(token: string, type: string, want: number, ms = 90_000): Promise<number> {
  const deadline = Date.now() + ms;
  let count = -1;
  while (Date.now() < deadline) {
    const res = await metric(token, type);
    if (res.status === 200) {
      count = res.body.count;
      if (count >= want) {
        // Anything more would arrive now: wait a little and look again.
        await new Promise((r) => setTimeout(r, 1500));
        return (await metric(token, type)).body.count;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return count;
}

const events = (type: string, userId: string, n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    eventId: `${prefix}_${i}`,
    userId,
    eventType: type,
    timestamp: new Date().toISOString(),
    metadata: { i },
  }));

describe('POST /events through the gateway', () => {
  it('202 for a valid batch; 400 naming invalid events by index; 403 for another user’s events', async () => {
    const c = client();
    const viewer = await signUp(c);
    const type = `custom.e2e_${randomUUID().slice(0, 8)}`;
    const ok = await c.call('POST', '/events', {
      token: viewer.token,
      body: events(type, viewer.userId, 3, randomUUID()),
    });
    expect(ok.status).toBe(202);
    expect(ok.body.accepted).toBe(3);

    const bad = await c.call('POST', '/events', {
      token: viewer.token,
      body: [
        ...events(type, viewer.userId, 2, randomUUID()),
        { userId: viewer.userId, eventType: 'nope', timestamp: 'then' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '2.eventType',
      '2.timestamp',
    ]);

    const foreign = await c.call('POST', '/events', {
      token: viewer.token,
      body: events(type, 'usr_someone_else', 1, randomUUID()),
    });
    expect(foreign.status).toBe(403);
    expect(
      (await c.call('POST', '/events', { body: events(type, viewer.userId, 1, randomUUID()) })).status,
    ).toBe(401);
    // GET /metrics is for admins.
    expect((await metric(viewer.token, type)).status).toBe(403);
  });

  it('an API key needs the events:write scope', async () => {
    const c = client();
    const token = await adminToken(c);
    const issue = async (scopes: string[]) =>
      (await c.call('POST', '/auth/api-keys', { token, body: { name: 'analytics e2e', scopes } })).body
        .key as string;
    const body = events(`custom.e2e_${randomUUID().slice(0, 8)}`, 'usr_any', 1, randomUUID());
    expect(
      (await c.call('POST', '/events', { headers: { 'X-API-Key': await issue(['events:write']) }, body }))
        .status,
    ).toBe(202);
    expect(
      (await c.call('POST', '/events', { headers: { 'X-API-Key': await issue(['videos:read']) }, body }))
        .status,
    ).toBe(403);
  });
});

describe('analytics counts', () => {
  it('every domain event reaches analytics by itself: a signup is one UserRegistered, without the email', async () => {
    const token = await adminToken();
    const user = await signUp();
    const stored = (sql: string) => clickHouseCount(sql);
    const mine = `FROM analytics.events WHERE event_type = 'UserRegistered' AND user_id = '${user.userId}'`;
    const deadline = Date.now() + 30_000;
    while ((await stored(`SELECT count() ${mine}`)) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    expect(await stored(`SELECT uniqExact(event_id) ${mine}`)).toBe(1);
    expect(await stored(`SELECT countIf(position(metadata, '${user.email}') > 0) ${mine}`)).toBe(0);
    expect((await metric(token, 'UserRegistered')).body.count).toBeGreaterThanOrEqual(1);
  });

  it('ClickHouse stopped mid-stream: events wait on the queue and count exactly once when it is back', async () => {
    const c = client();
    const token = await adminToken(c);
    const type = `custom.e2e_stream_${randomUUID().slice(0, 8)}`;
    const clickhouse = analyticsClickHouse();
    const send = async (b: number) => {
      const res = await c.call('POST', '/events', {
        token,
        body: events(type, `usr_${b}`, 500, `${type}_${b}`),
      });
      expect(res.status).toBe(202);
    };
    try {
      for (let b = 0; b < 10; b++) await send(b);
      await clickhouse.stop();
      // Still accepted while the store is down: they wait on the queue.
      for (let b = 10; b < 20; b++) await send(b);
      expect((await metric(token, type)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      await clickhouse.start();
    }
    for (let b = 20; b < 30; b++) await send(b);
    // A client retrying a batch it already sent (same event ids) changes nothing.
    await send(3);
    expect(await countReaches(token, type, 15_000)).toBe(15_000);
    expect(
      await clickHouseCount(`SELECT uniqExact(event_id) FROM analytics.events WHERE event_type = '${type}'`),
    ).toBe(15_000);
  });

  it('npm run dlq lists and replays the analytics dead letters', () => {
    const admin = inject('admin');
    for (const command of ['list', 'replay']) {
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, 'scripts/dlq.ts'), command, 'analytics-events'],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            API_URL: inject('baseUrl'),
            ADMIN_EMAIL: admin.email,
            ADMIN_PASSWORD: admin.password,
          },
        },
      );
      expect(r.status, r.stderr).toBe(0);
    }
  });
});
