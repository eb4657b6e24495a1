import { describe, expect, it } from 'vitest';
import { testCaller } from '../../../lib/testing/rpc-client.ts';
import { admin, call, ORIGIN, recordingQueue, storeEnv, viewer } from './support/service.ts';

const event = (userId: string) => ({
  userId,
  eventType: 'custom.clicked',
  timestamp: new Date().toISOString(),
});

describe('POST /events: who may send what', () => {
  it('a viewer sending events for another user is refused, naming them, and nothing is queued', async () => {
    const { queue, sent } = recordingQueue();
    const res = await call(
      'analytics.ingest',
      { body: [event('usr_viewer'), event('usr_other'), event('usr_viewer'), event('usr_x')] },
      viewer,
      {
        ...storeEnv('d1'),
        Q_ANALYTICS_EVENTS: queue,
      },
    );
    expect(res.status).toBe(403);
    expect(res.problem?.errors?.map((e) => e.path)).toEqual(['1.userId', '3.userId']);
    expect(sent).toEqual([]);
  });

  it('a viewer may send their own events; an admin and an events:write key anyone’s', async () => {
    const key = testCaller(ORIGIN, undefined, [], {
      apiKey: { id: 'key_1', ownerId: 'usr_admin', scopes: ['events:write'] },
    });
    for (const [who, userId] of [
      [viewer, 'usr_viewer'],
      [admin, 'usr_other'],
      [key, 'usr_other'],
    ] as const) {
      const { queue, sent } = recordingQueue();
      const res = await call('analytics.ingest', { body: [event(userId)] }, who, {
        ...storeEnv('d1'),
        Q_ANALYTICS_EVENTS: queue,
      });
      expect(res.status).toBe(202);
      expect(sent.flat()).toHaveLength(1);
    }
  });
});
