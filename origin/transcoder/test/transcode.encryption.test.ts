import { spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobEncryption, LadderRung } from '../../../workers/lib/runner-protocol.ts';
import { probe } from '../src/ffmpeg.ts';
import { parseMediaPlaylist } from '../src/renditions.ts';
import { type TranscodeResult, transcodeLadder } from '../src/transcode.ts';
import { makeClip } from './support/clips.ts';
import { tempDir } from './support/temp.ts';

const ENCRYPTION: JobEncryption = {
  method: 'AES-128',
  keyId: 'ck_test',
  keyHex: '000102030405060708090a0b0c0d0e0f',
  ivHex: 'f0e0d0c0b0a090807060504030201000',
  keyUri: '../ck_test.key',
};
const LADDER: LadderRung[] = [
  { name: '240p', height: 240, videoBitrateKbps: 400, audioBitrateKbps: 64 },
  { name: '180p', height: 180, videoBitrateKbps: 250, audioBitrateKbps: 64 },
];

function decrypt(bytes: Buffer): Buffer {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(ENCRYPTION.keyHex, 'hex'),
    Buffer.from(ENCRYPTION.ivHex, 'hex'),
  );
  return Buffer.concat([decipher.update(bytes), decipher.final()]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('transcodeLadder with a content key', () => {
  let workDir: string;
  let outDir: string;
  let result: TranscodeResult;

  beforeAll(async () => {
    const input = makeClip({ width: 320, height: 240, seconds: 4 });
    workDir = tempDir('transcode-encrypted');
    outDir = join(workDir, 'out');
    result = await transcodeLadder({
      input,
      outDir,
      scratchDir: join(workDir, 'scratch'),
      ladder: LADDER,
      segmentSeconds: 2,
      limits: { maxDurationSec: 600, maxInputBytes: 1e9, maxWidth: 3840, maxHeight: 2160 },
      inputBytes: statSync(input).size,
      x264Preset: 'ultrafast',
      stallTimeoutMs: 30_000,
      encryption: ENCRYPTION,
    });
  });

  it('puts the key tag after the init segment map in every variant playlist', () => {
    expect(result.renditions.map((r) => r.name)).toEqual(['240p', '180p']);
    for (const rendition of result.renditions) {
      const lines = readFileSync(join(outDir, rendition.playlist), 'utf8').split('\n');
      const keys = lines.filter((l) => l.startsWith('#EXT-X-KEY:'));
      expect(keys).toEqual([
        '#EXT-X-KEY:METHOD=AES-128,URI="../ck_test.key",IV=0xf0e0d0c0b0a090807060504030201000',
      ]);
      const map = lines.findIndex((l) => l.startsWith('#EXT-X-MAP:'));
      expect(lines.indexOf(keys[0]!)).toBe(map + 1);
      const firstSegment = lines.findIndex((l) => l.startsWith('#EXTINF:'));
      expect(map + 1).toBeLessThan(firstSegment);
    }
  });

  it('writes segments that only decrypt with the key into init + segment streams ffprobe reads', async () => {
    for (const rendition of result.renditions) {
      const dir = join(outDir, rendition.name);
      const { segments } = parseMediaPlaylist(readFileSync(join(dir, 'index.m3u8'), 'utf8'));
      expect(segments).toHaveLength(2);
      const init = readFileSync(join(dir, 'init.mp4'));
      // The init segment stays in clear: an ftyp box first.
      expect(init.subarray(4, 8).toString('latin1')).toBe('ftyp');
      let bytes = init.length;
      for (const [i, segment] of segments.entries()) {
        const sealed = readFileSync(join(dir, segment.uri));
        bytes += sealed.length;
        expect(sealed.length % 16).toBe(0);
        // No fMP4 box header in clear.
        expect(sealed.subarray(4, 8).toString('latin1')).not.toMatch(/styp|moof/);
        const clear = decrypt(sealed);
        expect(clear.subarray(4, 8).toString('latin1')).toMatch(/styp|moof/);
        const joined = join(workDir, `${rendition.name}-${i}.mp4`);
        writeFileSync(joined, Buffer.concat([init, clear]));
        const probed = await probe(joined);
        expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({
          codec_name: 'h264',
          height: rendition.height,
        });
        expect(probed.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
      }
      // Reported sizes are those of the encrypted files players download.
      expect(rendition.bytes).toBe(bytes);
    }
  });

  it("plays as a whole through ffmpeg's HLS demuxer once the key URI answers, as the stream endpoint will", async () => {
    const served = join(tempDir('served'), 'video');
    cpSync(outDir, served, { recursive: true });
    // ../ck_test.key from 240p/index.m3u8: the video's root, where /stream/<token>/<videoId>/ck_test.key is.
    writeFileSync(join(served, 'ck_test.key'), Buffer.from(ENCRYPTION.keyHex, 'hex'));
    const playlist = join(served, '240p', 'index.m3u8');
    // ffmpeg decrypts each segment with the key it fetched from URI and decodes every frame.
    const counted = spawnSync(
      'ffprobe',
      [
        ...['-v', 'error', '-allowed_extensions', 'ALL', '-count_frames', '-select_streams', 'v:0'],
        ...['-show_entries', 'stream=codec_name,height,nb_read_frames', '-of', 'json', playlist],
      ],
      { encoding: 'utf8' },
    );
    expect(counted.stderr).toBe('');
    expect(JSON.parse(counted.stdout).streams).toEqual([
      { codec_name: 'h264', height: 240, nb_read_frames: '120' },
    ]);
  });

  it('never writes the key to the outputs', () => {
    const key = Buffer.from(ENCRYPTION.keyHex, 'hex');
    const files = filesUnder(outDir);
    expect(files.filter((f) => f.endsWith('.key'))).toEqual([]);
    for (const file of files) {
      const content = readFileSync(file);
      expect(content.includes(key), file).toBe(false);
      expect(content.toString('latin1').includes(ENCRYPTION.keyHex), file).toBe(false);
    }
    expect(filesUnder(workDir).filter((f) => f.endsWith('.key'))).toEqual([]);
  });

  it('keeps the master playlist free of keys', () => {
    const master = readFileSync(join(outDir, 'master.m3u8'), 'utf8');
    expect(master).not.toContain('EXT-X-KEY');
    expect(master).toContain('240p/index.m3u8');
  });
});
