import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config.ts';
import { contentKey, contentKeyForJob, rotateMasterKey, toHex } from '../src/keys.ts';
import { service } from './support/service.ts';

const testEnv = env as unknown as Env;
/** The same database with only version 1 of the keyring, as before a rotation. */
const [current, previous] = (testEnv.CONTENT_KEY_MASTER ?? '').split(',');
const oldEnv = { ...testEnv, CONTENT_KEY_MASTER: previous } as Env;

async function storedRow(videoId: string) {
  return env.DB.prepare('SELECT * FROM content_keys WHERE video_id = ?')
    .bind(videoId)
    .first<Record<string, string | number>>();
}

describe('content keys', () => {
  it('makes one 16-byte key and IV per video and hands the same ones to every later job', async () => {
    const first = await service.contentKeyForJob('vid_keys_same');
    expect(first.keyHex).toMatch(/^[0-9a-f]{32}$/);
    expect(first.ivHex).toMatch(/^[0-9a-f]{32}$/);
    expect(first.keyId).toMatch(/^ck_/);
    expect(await service.contentKeyForJob('vid_keys_same')).toEqual(first);

    const other = await service.contentKeyForJob('vid_keys_other');
    expect(other.keyId).not.toBe(first.keyId);
    expect(other.keyHex).not.toBe(first.keyHex);
  });

  it('refuses what is not a video id', async () => {
    await expect(contentKeyForJob(testEnv, '')).rejects.toThrow(/not a video id/);
    await expect(contentKeyForJob(testEnv, '../vid')).rejects.toThrow(/not a video id/);
  });

  it('gives racing first calls the same key', async () => {
    const all = await Promise.all(
      Array.from({ length: 5 }, () => contentKeyForJob(testEnv, 'vid_keys_race')),
    );
    expect(new Set(all.map((k) => JSON.stringify(k))).size).toBe(1);
  });

  it('stores the key wrapped, never in clear', async () => {
    const { keyHex } = await service.contentKeyForJob('vid_keys_wrapped');
    const row = await storedRow('vid_keys_wrapped');
    expect(row?.master_version).toBe(2);
    expect(JSON.stringify(row).toLowerCase()).not.toContain(keyHex);
    const wrapped = Uint8Array.from(atob(String(row?.wrapped_key)), (c) => c.charCodeAt(0));
    expect(wrapped.length).toBe(16 + 16); // key + GCM tag
  });

  it('serves the raw key bytes for the right video and key id only', async () => {
    const { keyId, keyHex } = await service.contentKeyForJob('vid_keys_serve');
    const bytes = await service.contentKey('vid_keys_serve', keyId);
    expect(bytes && toHex(new Uint8Array(bytes))).toBe(keyHex);
    expect(await service.contentKey('vid_keys_serve', 'ck_unknown')).toBeNull();
    const other = await service.contentKeyForJob('vid_keys_serve_other');
    expect(await service.contentKey('vid_keys_serve', other.keyId)).toBeNull();
    expect(await service.contentKey('vid_keys_nokey', keyId)).toBeNull();
  });

  it('gives the key only to a viewer who is still entitled', async () => {
    const { keyId, keyHex } = await service.contentKeyForJob('vid_keys_viewer');
    const given = await service.keyForViewer('vid_keys_viewer', keyId, 'usr_viewer');
    expect(given && 'key' in given && toHex(new Uint8Array(given.key))).toBe(keyHex);
    expect(await service.keyForViewer('vid_keys_viewer', keyId, 'usr_pastdue')).toEqual({
      refused: 'payment_failed',
    });
    expect(await service.keyForViewer('vid_keys_viewer', keyId, 'usr_nobody')).toEqual({
      refused: 'no_subscription',
    });
    expect(await service.keyForViewer('vid_keys_viewer', 'ck_unknown', 'usr_viewer')).toBeNull();
  });

  it('refuses a wrapped key moved to another row (bound to video and key id)', async () => {
    await service.contentKeyForJob('vid_keys_a');
    const b = await service.contentKeyForJob('vid_keys_b');
    const a = await storedRow('vid_keys_a');
    await env.DB.prepare('UPDATE content_keys SET wrapped_key = ?, wrap_iv = ? WHERE video_id = ?')
      .bind(a?.wrapped_key, a?.wrap_iv, 'vid_keys_b')
      .run();
    await expect(contentKey(testEnv, 'vid_keys_b', b.keyId)).rejects.toThrow(/does not open/);
  });

  it('re-wraps keys of an older master version under the current one, keeping the key', async () => {
    const before = await contentKeyForJob(oldEnv, 'vid_keys_rotate');
    expect((await storedRow('vid_keys_rotate'))?.master_version).toBe(1);

    const report = await rotateMasterKey(testEnv, 1000);
    expect(report).toMatchObject({ version: 2, remaining: 0 });
    expect(report.rewrapped).toBeGreaterThanOrEqual(1);
    expect((await storedRow('vid_keys_rotate'))?.master_version).toBe(2);
    expect(await service.contentKeyForJob('vid_keys_rotate')).toEqual(before);
    // The old keyring alone no longer opens it: version 1 can be dropped from the secret.
    await expect(contentKeyForJob(oldEnv, 'vid_keys_rotate')).rejects.toThrow(/no version 2/);
    expect(await service.rotateMasterKey()).toMatchObject({ rewrapped: 0, remaining: 0 });
  });

  it('fails loudly, without the secret in the message, on a bad keyring', async () => {
    const bad = { ...testEnv, CONTENT_KEY_MASTER: `${current},3:c2hvcnQ=` } as Env;
    await expect(contentKeyForJob(bad, 'vid_keys_bad')).rejects.toThrow(
      /version 3 is not a 16, 24 or 32-byte key/,
    );
    const none = { ...testEnv, CONTENT_KEY_MASTER: '' } as Env;
    await expect(contentKeyForJob(none, 'vid_keys_bad')).rejects.toThrow(/CONTENT_KEY_MASTER is not set/);
  });
});
