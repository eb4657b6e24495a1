import { describe, expect, it } from 'vitest';
import { renderMasterPlaylist } from '../src/master-playlist.ts';
import { measureBandwidth, parseMediaPlaylist } from '../src/renditions.ts';
import { storyboardVtt } from '../src/thumbnails.ts';

describe('parseMediaPlaylist', () => {
  it('reads the init segment and each segment duration', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MAP:URI="init_720p.mp4"',
      '#EXTINF:2.000000,',
      'seg_00001.m4s',
      '#EXTINF:1.500000,',
      'seg_00002.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual({
      mapUri: 'init_720p.mp4',
      segments: [
        { uri: 'seg_00001.m4s', durationSec: 2 },
        { uri: 'seg_00002.m4s', durationSec: 1.5 },
      ],
    });
  });
});

describe('measureBandwidth', () => {
  it('takes the peak segment rate and the overall average', () => {
    const bw = measureBandwidth(
      [
        { bytes: 500_000, durationSec: 2 },
        { bytes: 1_000_000, durationSec: 2 },
      ],
      2,
    );
    expect(bw).toEqual({ peak: 4_000_000, average: 3_000_000 });
  });

  it('leaves a runt final segment out of the peak but not out of the average', () => {
    const bw = measureBandwidth(
      [
        { bytes: 500_000, durationSec: 2 },
        { bytes: 50_000, durationSec: 0.04 },
      ],
      2,
    );
    expect(bw.peak).toBe(2_000_000);
    expect(bw.average).toBe(Math.ceil((550_000 * 8) / 2.04));
  });
});

describe('renderMasterPlaylist', () => {
  it('writes every attribute players and the plan filter rely on', () => {
    const text = renderMasterPlaylist([
      {
        name: '720p',
        width: 1280,
        height: 720,
        bandwidth: 3_200_000,
        averageBandwidth: 3_000_000,
        codecs: 'avc1.64001f,mp4a.40.2',
        frameRate: 29.97,
        playlist: '720p/index.m3u8',
        segments: 3,
        bytes: 1,
      },
    ]);
    expect(text).toContain(
      '#EXT-X-STREAM-INF:BANDWIDTH=3200000,AVERAGE-BANDWIDTH=3000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970\n720p/index.m3u8',
    );
  });
});

describe('storyboardVtt', () => {
  it('lays tiles out row by row and ends the last cue at the video end', () => {
    const vtt = storyboardVtt('storyboard.jpg', 12, 160, 90, 10, { intervalSec: 2, durationSec: 23.5 });
    const cues = vtt
      .split('\n\n')
      .slice(1)
      .map((c) => c.trim())
      .filter(Boolean);
    expect(cues).toHaveLength(12);
    expect(cues[0]).toBe('00:00:00.000 --> 00:00:02.000\nstoryboard.jpg#xywh=0,0,160,90');
    expect(cues[10]).toBe('00:00:20.000 --> 00:00:22.000\nstoryboard.jpg#xywh=0,90,160,90');
    expect(cues[11]).toBe('00:00:22.000 --> 00:00:23.500\nstoryboard.jpg#xywh=160,90,160,90');
  });
});
