import type { RenditionResult } from '../../../workers/lib/runner-protocol.ts';

/**
 * The multivariant playlist, written by us rather than by ffmpeg: ffmpeg 5.1 estimates BANDWIDTH
 * from the target bitrate and omits AVERAGE-BANDWIDTH and FRAME-RATE, which ABR players and the
 * playback service's plan filter rely on. Variants keep ladder order (tallest first).
 */
export function renderMasterPlaylist(renditions: readonly RenditionResult[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', ''];
  for (const r of renditions) {
    const attributes = [
      `BANDWIDTH=${r.bandwidth}`,
      `AVERAGE-BANDWIDTH=${r.averageBandwidth}`,
      `RESOLUTION=${r.width}x${r.height}`,
      `CODECS="${r.codecs}"`,
      `FRAME-RATE=${r.frameRate.toFixed(3)}`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, r.playlist, '');
  }
  return lines.join('\n');
}
