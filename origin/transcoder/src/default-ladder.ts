import type { LadderRung } from '../../../workers/services/videos/src/runner-contract.ts';

/**
 * H.264 ladder for typical web video (close to Apple's HLS authoring figures for 30 fps content).
 * maxrate is 1.5× the target: capped VBR keeps each segment's peak near what BANDWIDTH promises.
 */
export const DEFAULT_LADDER: readonly LadderRung[] = [
  { name: '1080p', height: 1080, videoBitrateKbps: 5000, maxrateKbps: 7500, audioBitrateKbps: 128 },
  { name: '720p', height: 720, videoBitrateKbps: 3000, maxrateKbps: 4500, audioBitrateKbps: 128 },
  { name: '480p', height: 480, videoBitrateKbps: 1500, maxrateKbps: 2250, audioBitrateKbps: 96 },
  { name: '360p', height: 360, videoBitrateKbps: 800, maxrateKbps: 1200, audioBitrateKbps: 96 },
  { name: '240p', height: 240, videoBitrateKbps: 400, maxrateKbps: 600, audioBitrateKbps: 64 },
];
