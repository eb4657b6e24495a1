import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../../../lib/problem.ts';
import { ingestEvents } from '../src/contract/events.ts';
import { asGatewayWould } from './support/service.ts';

const now = () => new Date().toISOString();
const good = (over: Record<string, unknown> = {}) => ({
  userId: 'usr_1',
  eventType: 'custom.clicked',
  timestamp: now(),
  metadata: {},
  ...over,
});

/** The errors the gateway answers 400 with for this body (its validation hook, lib/problem.ts). */
function refusal(body: unknown) {
  const schema = ingestEvents.route.request.body.content['application/json'].schema;
  const r = schema.safeParse(body);
  return r.success ? undefined : fieldErrors(r.error.issues as never);
}

describe('POST /events validation: all or nothing, errors named by index', () => {
  it('accepts domain events, player events and custom.<name>', () => {
    const body = [
      good({ eventType: 'VideoWatched' }),
      good({ eventType: 'viewStart', metadata: { viewId: 'view_1', videoId: 'vid_1' } }),
      good({ eventType: 'custom.cast_started' }),
    ];
    expect(refusal(body)).toBeUndefined();
  });

  it('names every invalid event by its index and field, whatever else the batch holds', () => {
    const body = [
      good(),
      good({ eventType: 'madeUp' }),
      good(),
      good({ timestamp: new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString() }),
      good({ timestamp: new Date(Date.now() + 10 * 60 * 1000).toISOString() }),
      good({ metadata: { blob: 'x'.repeat(3000) } }),
      good({ metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) }),
      good({ userId: "usr_1' OR 1=1 --" }),
      good({ eventId: 'a'.repeat(65) }),
      good({ timestamp: 'yesterday' }),
      good({ metadata: ['not', 'an', 'object'] }),
    ];
    const errors = refusal(body)!;
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        '1.eventType',
        '3.timestamp',
        '4.timestamp',
        '5.metadata',
        '6.metadata',
        '7.userId',
        '8.eventId',
        '9.timestamp',
        '10.metadata',
      ].sort(),
    );
    expect(byPath['1.eventType']).toMatch(/domain event type, a player event or custom/);
    expect(byPath['3.timestamp']).toMatch(/more than a week old/);
    expect(byPath['4.timestamp']).toMatch(/5 minutes ahead/);
    expect(byPath['5.metadata']).toMatch(/2048 bytes/);
    expect(byPath['6.metadata']).toMatch(/at most 32 keys/);
  });

  it('player events must name their view and video, and carry their measures', () => {
    const errors = refusal([
      good({ eventType: 'viewStart', metadata: { videoId: 'vid_1' } }),
      good({ eventType: 'rebuffer.end', metadata: { viewId: 'v', videoId: 'x', durationMs: -5 } }),
      good({ eventType: 'viewEnd', metadata: { viewId: 'v', videoId: 'x' } }),
    ])!;
    expect(errors.map((e) => e.path).sort()).toEqual([
      '0.metadata.viewId',
      '1.metadata.durationMs',
      '2.metadata.watchTimeMs',
    ]);
  });

  it('takes 1 to 1,000 events', () => {
    expect(refusal([])![0]!.message).toMatch(/>=1/);
    expect(refusal(Array.from({ length: 1001 }, () => good()))![0]!.message).toMatch(/<=1000/);
    expect(refusal(Array.from({ length: 1000 }, () => good()))).toBeUndefined();
    expect(refusal({ events: [good()] })).toBeDefined();
  });

  it('custom names are bounded', () => {
    expect(refusal([good({ eventType: 'custom.' })])).toBeDefined();
    expect(refusal([good({ eventType: `custom.${'x'.repeat(65)}` })])).toBeDefined();
    expect(refusal([good({ eventType: 'custom.a b' })])).toBeDefined();
  });

  it('the route parses a valid batch as the gateway hands it over (metadata defaults to {})', () => {
    const input = asGatewayWould('analytics.ingest', {
      body: [
        { userId: 'u', eventType: 'play', timestamp: now(), metadata: { viewId: 'v', videoId: 'x' } },
        { userId: 'u', eventType: 'custom.a', timestamp: now() },
      ],
    });
    expect((input.body as { metadata: unknown }[])[1]!.metadata).toEqual({});
  });
});
