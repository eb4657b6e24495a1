import { describe, expect, it } from 'vitest';
import { auth } from './support/service.ts';

describe('readiness', () => {
  it('checks the database, the seeded admin, the signing keys, the mail transport and argon2', async () => {
    const report = await auth.ready();
    expect(report.ok).toBe(true);
    expect(Object.keys(report.checks).sort()).toEqual(['admin', 'argon2', 'd1', 'mail', 'signingKeys']);
    expect((await auth.jwks()).keys.length).toBeGreaterThanOrEqual(2);
  });
});
