import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import {
  consumer,
  listDeadLetters,
  pruneProcessedEvents,
  replayDeadLetters,
  retryDelay,
} from '../consume.ts';
import { EventEnvelope } from '../events.ts';
import { publish } from '../publish.ts';
import { EVENT_ROUTES, logicalQueue, queueBinding } from '../routing.ts';
import { batch, delivered, videoCreated } from './support.ts';

describe('publish()', () => {
  it('validates and sends the envelope to every queue the table names', async () => {
    const sends = EVENT_ROUTES.VideoCreated.map((q) =>
      vi.spyOn(env[queueBinding(q) as 'Q_CATALOG_EVENTS'], 'send'),
    );
    const event = await publish(
      env,
      'VideoCreated',
      'vid_9',
      { videoId: 'vid_9', title: 'A', description: '', tags: ['x'], genres: [], status: 'pending' },
      { source: 'videos', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    );
    expect(EventEnvelope.safeParse(event).success).toBe(true);
    expect(event.traceparent.split('-')[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    for (const s of sends) expect(s).toHaveBeenCalledWith(event, { contentType: 'json' });
  });

  it('refuses data that does not fit the event schema', async () => {
    await expect(
      publish(env, 'VideoRated', 'vid_1', { userId: 'u', videoId: 'v', rating: 9 } as never, {
        source: 'profile',
      }),
    ).rejects.toThrow();
  });

  it('fails loudly when the Worker lacks a producer binding', async () => {
    await expect(
      publish({}, 'VideoDeleted', 'vid_1', { videoId: 'vid_1' }, { source: 'videos' }),
    ).rejects.toThrow(/no binding Q_/);
  });
});

describe('consumer()', () => {
  const seen: string[] = [];
  const consume = consumer<typeof env>({
    service: 'test',
    db: (e) => e.DB,
    handlers: {
      VideoCreated: async (event) => {
        if (event.data.title === 'explode') throw new Error('downstream is down');
        seen.push(event.id);
      },
    },
  });

  it('handles an event once, however often it is delivered', async () => {
    const event = videoCreated('vid_once');
    for (let i = 0; i < 3; i++) {
      const d = delivered(event);
      await consume(batch('catalog-events', [d.message]), env, createExecutionContext());
      expect(d.outcome.acked).toBe(true);
    }
    expect(seen.filter((id) => id === event.id)).toHaveLength(1);
  });

  it('forgets processed ids after the retention window, and only those', async () => {
    const old = videoCreated('vid_old');
    const fresh = videoCreated('vid_fresh');
    await consume(batch('catalog-events', [delivered(old).message]), env, createExecutionContext());
    const cutoff = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    await consume(batch('catalog-events', [delivered(fresh).message]), env, createExecutionContext());
    expect(await pruneProcessedEvents(env.DB, cutoff)).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare('SELECT event_id FROM _events_processed').all<{ event_id: string }>();
    const ids = left.results.map((r) => r.event_id);
    expect(ids).toContain(fresh.id);
    expect(ids).not.toContain(old.id);
  });

  it('retries a failing handler with exponential back-off', async () => {
    const event = { ...videoCreated('vid_fail'), data: { ...videoCreated().data, title: 'explode' } };
    const d = delivered(event, 3);
    await consume(batch('catalog-events', [d.message]), env, createExecutionContext());
    expect(d.outcome.acked).toBe(false);
    expect(d.outcome.retried).toEqual({ delaySeconds: 8 });
    expect([1, 2, 3, 4, 20].map((n) => retryDelay(n))).toEqual([2, 4, 8, 16, 300]);
  });

  it('dead-letters a poison message at once and keeps it for inspection', async () => {
    const d = delivered({ hello: 'not an event' });
    await consume(batch('catalog-events', [d.message]), env, createExecutionContext());
    expect(d.outcome.acked).toBe(true);
    const letters = await listDeadLetters(env.DB, 'catalog-events');
    expect(letters.some((l) => l.reason.startsWith('invalid envelope'))).toBe(true);
  });

  it('stores what the dead-letter queue delivers and replays it onto the queue', async () => {
    const event = videoCreated('vid_dead');
    const d = delivered(event, 6);
    await consume(batch('catalog-events-dlq', [d.message]), env, createExecutionContext());
    expect(d.outcome.acked).toBe(true);
    const before = await listDeadLetters(env.DB, 'catalog-events');
    expect(before.map((l) => (l.body as { id: string }).id)).toContain(event.id);

    const send = vi.spyOn(env.Q_CATALOG_EVENTS, 'send');
    const result = await replayDeadLetters(env.DB, env, 'catalog-events');
    expect(result.replayed).toBeGreaterThanOrEqual(1);
    expect(send).toHaveBeenCalledWith(event, { contentType: 'json' });
    const after = await listDeadLetters(env.DB, 'catalog-events');
    expect(after.map((l) => (l.body as { id: string }).id)).not.toContain(event.id);
    // Invalid letters are never replayed.
    expect(after.some((l) => l.reason.startsWith('invalid envelope'))).toBe(true);
  });

  it('maps environment-suffixed queue names to the logical queue', () => {
    expect(logicalQueue('catalog-events-production')).toEqual({ queue: 'catalog-events', dead: false });
    expect(logicalQueue('catalog-events-production-dlq')).toEqual({ queue: 'catalog-events', dead: true });
    expect(logicalQueue('something-else')).toBeUndefined();
  });
});
