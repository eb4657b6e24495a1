import { describe, expect, it } from 'vitest';
import { service } from './support/service.ts';

describe('readiness', () => {
  it('reports every dependency ready', async () => {
    const report = await service.ready();
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });
});
