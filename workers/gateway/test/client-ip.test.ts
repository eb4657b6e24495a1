import { describe, expect, it } from 'vitest';
import { clientBucket } from '../../lib/client-ip.ts';

describe('clientBucket', () => {
  it('counts an IPv4 address as itself, also when it comes IPv4-mapped', () => {
    expect(clientBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(clientBucket('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts every address of an IPv6 /64 as one client', () => {
    expect(clientBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(clientBucket('2001:db8:1:2::7'));
    expect(clientBucket('2001:db8:1:3::1')).not.toBe(clientBucket('2001:db8:1:2::1'));
  });

  it('leaves what is not an address as it is', () => {
    expect(clientBucket('unknown')).toBe('unknown');
  });
});
