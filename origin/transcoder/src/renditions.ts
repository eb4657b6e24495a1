/**
 * What each rendition really is once ffmpeg is done: sizes and bit rates measured from the segment
 * files, resolution and frame rate probed from the output, codec strings from the init segment.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobEncryption, LadderRung, RenditionResult } from '../../../workers/lib/runner-protocol.ts';
import { aacCodecString, avcCodecString } from './codecs.ts';
import { encryptRendition } from './encryption.ts';
import { JobFailure } from './errors.ts';
import { parseFrameRate, probe } from './ffmpeg.ts';

export interface MediaPlaylist {
  mapUri: string | undefined;
  segments: { uri: string; durationSec: number }[];
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').map((l) => l.trim());
  const mapUri = lines.find((l) => l.startsWith('#EXT-X-MAP:'))?.match(/URI="([^"]+)"/)?.[1];
  const segments: MediaPlaylist['segments'] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXTINF:')) return;
    const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
    if (uri) segments.push({ uri, durationSec: Number.parseFloat(line.slice('#EXTINF:'.length)) });
  });
  return { mapUri, segments };
}

export interface Bandwidth {
  peak: number;
  average: number;
}

/**
 * Bits per second over the media segments (the init segment is fetched once, not per segment).
 * A runt final segment (under half the target, often a single keyframe) is left out of the peak:
 * its rate says nothing about sustained throughput and would scare players off the variant.
 */
export function measureBandwidth(
  segments: readonly { bytes: number; durationSec: number }[],
  segmentSeconds: number,
): Bandwidth {
  const totalBits = segments.reduce((sum, s) => sum + s.bytes * 8, 0);
  const totalSec = segments.reduce((sum, s) => sum + s.durationSec, 0);
  const full = segments.filter((s) => s.durationSec >= segmentSeconds / 2);
  const candidates = full.length > 0 ? full : segments;
  const peak = Math.max(...candidates.map((s) => (s.bytes * 8) / Math.max(s.durationSec, 0.001)));
  const average = totalBits / Math.max(totalSec, 0.001);
  return { peak: Math.max(1, Math.ceil(peak)), average: Math.max(1, Math.ceil(average)) };
}

/**
 * Renames ffmpeg's `init_<name>.mp4` to `init.mp4` (same layout in every rendition folder) and
 * describes the rendition for the master playlist and the success call. With `encryption`, the
 * segments are encrypted once probed (encryption.ts), and sizes and bit rates are those of the
 * encrypted segments players download.
 */
export async function finalizeRendition(
  outDir: string,
  rung: LadderRung,
  segmentSeconds: number,
  encryption?: JobEncryption,
): Promise<RenditionResult> {
  const dir = join(outDir, rung.name);
  const playlistPath = join(dir, 'index.m3u8');
  let text = await readFile(playlistPath, 'utf8');
  const { mapUri, segments } = parseMediaPlaylist(text);
  if (!mapUri || segments.length === 0)
    throw new JobFailure(`ffmpeg wrote no segments for ${rung.name}`, true);
  if (mapUri !== 'init.mp4') {
    await rename(join(dir, mapUri), join(dir, 'init.mp4'));
    text = text.replace(`URI="${mapUri}"`, 'URI="init.mp4"');
    await writeFile(playlistPath, text);
  }

  const init = await readFile(join(dir, 'init.mp4'));
  const probed = await probe(playlistPath);
  if (encryption)
    await encryptRendition(
      dir,
      segments.map((s) => s.uri),
      encryption,
    );
  const sized = await Promise.all(
    segments.map(async (s) => ({ durationSec: s.durationSec, bytes: (await stat(join(dir, s.uri))).size })),
  );
  const { peak, average } = measureBandwidth(sized, segmentSeconds);

  const video = probed.streams.find((s) => s.codec_type === 'video');
  const hasAudio = probed.streams.some((s) => s.codec_type === 'audio');
  const videoCodec = avcCodecString(init);
  const audioCodec = hasAudio ? aacCodecString(init) : undefined;
  const frameRate = parseFrameRate(video?.avg_frame_rate) ?? parseFrameRate(video?.r_frame_rate);
  if (!video?.width || !video.height || !frameRate || !videoCodec || (hasAudio && !audioCodec)) {
    throw new JobFailure(`Rendition ${rung.name} is not a readable H.264 stream`, true);
  }
  return {
    name: rung.name,
    width: video.width,
    height: video.height,
    bandwidth: peak,
    averageBandwidth: average,
    codecs: audioCodec ? `${videoCodec},${audioCodec}` : videoCodec,
    frameRate,
    playlist: `${rung.name}/index.m3u8`,
    segments: segments.length,
    bytes: init.length + sized.reduce((sum, s) => sum + s.bytes, 0),
  };
}
