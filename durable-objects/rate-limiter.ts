import { DurableObject } from 'cloudflare:workers';

export interface WindowCount {
  /** Hits counted in the current window, including this one. */
  count: number;
  /** Epoch ms when the current window ends. */
  resetAt: number;
}

interface Slot {
  windowStart: number;
  count: number;
}

/**
 * One fixed-window counter per key; the gateway names one object per key, so a single writer
 * decides for that key across every edge location. Counts persist in the object's SQLite KV so an
 * eviction does not hand an attacker a fresh window.
 */
export class RateLimiter extends DurableObject {
  private slots = new Map<string, Slot>();

  hit(key: string, windowMs: number, cost = 1): WindowCount {
    const now = Date.now();
    const windowStart = now - (now % windowMs);
    let slot = this.slots.get(key) ?? this.ctx.storage.kv.get<Slot>(key);
    if (!slot || slot.windowStart !== windowStart) slot = { windowStart, count: 0 };
    slot.count += cost;
    this.slots.set(key, slot);
    this.ctx.storage.kv.put(key, slot);
    return { count: slot.count, resetAt: windowStart + windowMs };
  }

  peek(key: string, windowMs: number): WindowCount {
    const now = Date.now();
    const windowStart = now - (now % windowMs);
    const slot = this.slots.get(key) ?? this.ctx.storage.kv.get<Slot>(key);
    const count = slot && slot.windowStart === windowStart ? slot.count : 0;
    return { count, resetAt: windowStart + windowMs };
  }

  ping(): string {
    return 'pong';
  }
}
