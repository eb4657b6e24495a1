import { describe, expect, it } from 'vitest';
import {
  checkAccess,
  isSafeKey,
  parseStoragePath,
  type StorageGrant,
  signGrant,
  storageUrl,
  verifyToken,
} from '../../../lib/storage-grant.ts';

const SECRET = 'unit-test-secret';
const NOW = 1_800_000_000;
const grant: StorageGrant = { method: 'PUT', key: 'masters/v1/u1', exp: NOW + 60, maxBytes: 1000 };

describe('storage tokens', () => {
  it('round-trip the grant they were signed with', async () => {
    const token = await signGrant(SECRET, grant);
    expect(await verifyToken(SECRET, token, NOW)).toEqual(grant);
  });

  it('refuse a tampered payload, a foreign key, expiry and malformed input', async () => {
    const token = await signGrant(SECRET, grant);
    const [payload, mac] = token.split('.');
    const other = await signGrant(SECRET, { ...grant, maxBytes: 10 ** 12 });
    await expect(verifyToken(SECRET, `${other.split('.')[0]}.${mac}`, NOW)).rejects.toMatchObject({
      reason: 'bad_signature',
    });
    await expect(verifyToken('another-secret', token, NOW)).rejects.toMatchObject({
      reason: 'bad_signature',
    });
    await expect(verifyToken(SECRET, token, NOW + 60)).rejects.toMatchObject({ reason: 'expired' });
    for (const bad of ['', 'abc', `${payload}`, `${payload}.${mac}.x`, `${payload}.!!`]) {
      await expect(verifyToken(SECRET, bad, NOW)).rejects.toMatchObject({ name: 'StorageDenied' });
    }
  });

  it('allow only their method (GET includes HEAD) and their key or prefix', () => {
    expect(() => checkAccess(grant, 'PUT', 'masters/v1/u1')).not.toThrow();
    expect(() => checkAccess(grant, 'GET', 'masters/v1/u1')).toThrow(
      expect.objectContaining({ reason: 'wrong_method' }),
    );
    expect(() => checkAccess(grant, 'PUT', 'masters/v1/u2')).toThrow(
      expect.objectContaining({ reason: 'wrong_key' }),
    );
    const read: StorageGrant = { method: 'GET', key: 'renditions/v/j/', prefix: true, exp: NOW + 60 };
    expect(() => checkAccess(read, 'HEAD', 'renditions/v/j/720p/index.m3u8')).not.toThrow();
    expect(() => checkAccess(read, 'GET', 'renditions/v/j/')).toThrow();
    expect(() => checkAccess(read, 'GET', 'renditions/v/jj/x')).toThrow();
  });
});

describe('storage paths', () => {
  it('encode keys per segment and decode them back', () => {
    const url = storageUrl('http://o.test/', 'tok', 'renditions/v/j/a b/ü.m3u8');
    expect(url).toBe('http://o.test/storage/tok/renditions/v/j/a%20b/%C3%BC.m3u8');
    expect(parseStoragePath(new URL(url).pathname)).toEqual({
      token: 'tok',
      key: 'renditions/v/j/a b/ü.m3u8',
    });
  });

  it('refuse traversal, empty segments, encoded slashes and control characters', () => {
    for (const path of [
      '/storage/tok/renditions/v/../x',
      '/storage/tok/renditions//x',
      '/storage/tok/renditions/%2e%2e/x',
      '/storage/tok/a%2Fb',
      '/storage/tok/a%00b',
      '/storage/tok',
    ]) {
      expect(parseStoragePath(path), path).toBeUndefined();
    }
    expect(isSafeKey('renditions/v/j/', true)).toBe(true);
    expect(isSafeKey('renditions/v/j/')).toBe(false);
  });
});
