/**
 * `node bench/transcode-ladder.ts`: what the runner's one-decode ladder costs, against
 *   (1) the runner's own transcodeLadder (the job code path minus network: probe, validation,
 *       one ffmpeg for ladder + poster + storyboard, sprite, master playlist),
 *   (2) the floor: the same ladder as one hand-written ffmpeg command (split + scale, same codec
 *       settings, no thumbnails, no probing),
 *   (3) the naive way: one ffmpeg per rendition, one after another.
 * on a 30 s 1080p30 source. Targets: (1) ≤ 1.10 × (2); (3) ≥ 1.5 × (1).
 * Prints a markdown block and appends it to bench/RESULTS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transcodeLadder } from '../origin/transcoder/src/transcode.ts';
import { DEFAULT_LADDER } from '../workers/lib/runner-protocol.ts';
import { benchSource } from './fixtures.ts';
import { appendResults } from './lib/results.ts';

const SOURCE = { width: 1920, height: 1080, seconds: 30, fps: 30 };
const PRESET = 'veryfast';
const SEGMENT_SECONDS = 2;
const OUT = path.resolve(import.meta.dirname, 'out', 'transcode-ladder');
const ROUNDS = 3;

/** Codec settings shared by (2) and (3), written out as the runner's ladder.ts would produce them. */
function videoSettings(i: number, rung: (typeof DEFAULT_LADDER)[number]): string[] {
  return [
    ...[`-b:v:${i}`, `${rung.videoBitrateKbps}k`],
    ...[`-maxrate:v:${i}`, `${rung.maxrateKbps}k`],
    ...[`-bufsize:v:${i}`, `${rung.videoBitrateKbps * 2}k`],
    ...[`-b:a:${i}`, `${rung.audioBitrateKbps}k`],
  ];
}
const ENCODER = [
  ...['-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high'],
  ...['-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`],
  ...['-g', '60', '-keyint_min', '60', '-sc_threshold', '0'],
  ...['-c:a', 'aac', '-ac', '2'],
];
const HLS = [
  ...['-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod'],
  ...['-hls_segment_type', 'fmp4', '-hls_flags', 'independent_segments'],
];

function floorCommand(source: string, outDir: string): string[] {
  const splits = DEFAULT_LADDER.map((_, i) => `[r${i}]`).join('');
  const scales = DEFAULT_LADDER.map((r, i) => `[r${i}]scale=-2:${r.height},format=yuv420p[v${i}]`);
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', source],
    ...['-filter_complex', [`[0:v]split=${DEFAULT_LADDER.length}${splits}`, ...scales].join(';')],
    ...DEFAULT_LADDER.flatMap((_, i) => ['-map', `[v${i}]`, '-map', '0:a']),
    ...ENCODER,
    ...DEFAULT_LADDER.flatMap((rung, i) => videoSettings(i, rung)),
    ...HLS,
    ...[
      '-hls_fmp4_init_filename',
      'init_%v.mp4',
      '-hls_segment_filename',
      path.join(outDir, '%v', 'seg_%05d.m4s'),
    ],
    ...['-var_stream_map', DEFAULT_LADDER.map((r, i) => `v:${i},a:${i},name:${r.name}`).join(' ')],
    path.join(outDir, '%v', 'index.m3u8'),
  ];
}

function perRenditionCommand(
  source: string,
  outDir: string,
  rung: (typeof DEFAULT_LADDER)[number],
): string[] {
  const dir = path.join(outDir, rung.name);
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', source],
    ...['-vf', `scale=-2:${rung.height},format=yuv420p`, '-map', '0:v', '-map', '0:a'],
    ...ENCODER,
    ...videoSettings(0, rung),
    ...HLS,
    ...['-hls_segment_filename', path.join(dir, 'seg_%05d.m4s'), path.join(dir, 'index.m3u8')],
  ];
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
  });
}

interface Measurement {
  ms: number;
  /** CPU seconds of this process and its ffmpeg/ffprobe children: immune to other load. */
  cpuSec: number;
  /** CPU seconds other processes on the machine used meanwhile: how noisy the wall time is. */
  othersCpuSec: number;
  bytes: number;
}

async function measure(label: string, outDir: string, run: () => Promise<unknown>): Promise<Measurement> {
  rmSync(outDir, { recursive: true, force: true });
  await waitForQuiet(90);
  console.log(`running ${label}…`);
  const [cpu0, busy0] = [ownCpuSec(), machineBusySec()];
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const cpuSec = ownCpuSec() - cpu0;
  const othersCpuSec = Math.max(0, machineBusySec() - busy0 - cpuSec);
  console.log(`  ${seconds(ms)} wall, ${cpuSec.toFixed(1)} s CPU (others: ${othersCpuSec.toFixed(1)} s)`);
  return { ms, cpuSec, othersCpuSec, bytes: folderBytes(outDir) };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of this process, plus cutime + cstime of its waited-for children. */
function ownCpuSec(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / CLOCK_TICKS;
}

/** CPU seconds the whole machine spent busy since boot (all cores). */
function machineBusySec(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks; // idle and iowait are not busy
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS
  );
}

/** Waits until the machine has been nearly idle for 3 s (at most `maxSeconds`): wall times mean little under load. */
async function waitForQuiet(maxSeconds: number): Promise<void> {
  const cores = os.cpus().length;
  let quietSeconds = 0;
  for (let waited = 0; waited < maxSeconds; waited++) {
    const before = machineBusySec();
    await new Promise((r) => setTimeout(r, 1000));
    const busyShare = (machineBusySec() - before) / cores;
    quietSeconds = busyShare < 0.1 ? quietSeconds + 1 : 0;
    if (quietSeconds >= 3) return;
    if (waited % 15 === 0)
      console.log(`waiting for the machine to go quiet (busy ${(busyShare * 100).toFixed(0)}%)…`);
  }
  console.log(`the machine did not go quiet in ${maxSeconds} s; measuring anyway`);
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0);
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const source = benchSource(SOURCE);
const sourceBytes = statSync(source).size;
// Read once so every variant starts with the master in the page cache.
spawnSync('cat', [source], { stdio: ['ignore', 'ignore', 'ignore'] });
const loadBefore = os.loadavg()[0] ?? 0;

const floorDir = path.join(OUT, 'floor');
const runnerDir = path.join(OUT, 'runner');
const naiveDir = path.join(OUT, 'naive');
let renditions: string[] = [];

const runRunner = async () => {
  const result = await transcodeLadder({
    input: source,
    outDir: path.join(runnerDir, 'out'),
    scratchDir: path.join(runnerDir, 'scratch'),
    ladder: DEFAULT_LADDER,
    segmentSeconds: SEGMENT_SECONDS,
    limits: { maxDurationSec: 3600, maxInputBytes: 10e9, maxWidth: 3840, maxHeight: 2160 },
    inputBytes: sourceBytes,
    x264Preset: PRESET,
    stallTimeoutMs: 120_000,
  });
  rmSync(path.join(runnerDir, 'scratch'), { recursive: true, force: true });
  renditions = result.renditions.map(
    (r) => `${r.name} ${r.width}x${r.height} ${(r.averageBandwidth / 1000).toFixed(0)} kb/s`,
  );
};
const runNaive = async () => {
  for (const rung of DEFAULT_LADDER) {
    mkdirSync(path.join(naiveDir, rung.name), { recursive: true }); // ffmpeg makes no folder for a single variant.
    await ffmpeg(perRenditionCommand(source, naiveDir, rung));
  }
};

// Interleaved rounds, best of each: a burst of load from elsewhere hits one run, not one variant.
const runs: Record<'runner' | 'floor' | 'naive', Measurement[]> = { runner: [], floor: [], naive: [] };
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round} of ${ROUNDS}`);
  runs.floor.push(
    await measure('(2) floor: one hand-written ffmpeg', floorDir, () =>
      ffmpeg(floorCommand(source, floorDir)),
    ),
  );
  runs.runner.push(await measure('(1) runner transcodeLadder', path.join(runnerDir, 'out'), runRunner));
  runs.naive.push(await measure('(3) one ffmpeg per rendition, sequential', naiveDir, runNaive));
}
const loadAfter = os.loadavg()[0] ?? 0;

const best = (list: Measurement[]) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
const [runner, floor, naive] = [best(runs.runner), best(runs.floor), best(runs.naive)];
const ffmpegVersion = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
const runnerOverFloor = runner.ms / floor.ms;
const naiveOverRunner = naive.ms / runner.ms;
const realtime = (ms: number) => `${((SOURCE.seconds * 1000) / ms).toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const row = (label: string, key: keyof typeof runs) => {
  const m = best(runs[key]);
  const all = runs[key].map((r) => seconds(r.ms)).join(', ');
  const others = runs[key].map((r) => r.othersCpuSec.toFixed(1)).join(', ');
  return `| ${label} | **${seconds(m.ms)}** (${all}) | ${m.cpuSec.toFixed(1)} s | ${realtime(m.ms)} | ${megabytes(m.bytes)} | ${others} s |`;
};

appendResults(
  'Transcode ladder (one decode → whole HLS ladder)',
  'node bench/transcode-ladder.ts',
  `
Source: ${SOURCE.width}x${SOURCE.height} ${SOURCE.fps} fps, ${SOURCE.seconds} s, testsrc2 + sine, H.264 CRF 18 + AAC (${megabytes(sourceBytes)}).
Ladder: ${DEFAULT_LADDER.map((r) => `${r.name} ${r.videoBitrateKbps}k`).join(', ')}; libx264 \`${PRESET}\`, AAC, 2 s fMP4 segments.
${ffmpegVersion}. Best of ${ROUNDS} interleaved rounds, each run started once the machine had been idle for 3 s (or after 90 s); load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after. The machine is shared, so the last column shows how much CPU other processes took during each run.

| variant | wall time, best (all) | CPU time | realtime factor | output | CPU used by other processes meanwhile |
| --- | --- | --- | --- | --- | --- |
${row('(1) runner `transcodeLadder`: probe, validate, ladder + poster + storyboard, master playlist', 'runner')}
${row('(2) floor: one hand-written ffmpeg (split + scale, same codec settings, no thumbnails)', 'floor')}
${row('(3) one ffmpeg per rendition, sequential', 'naive')}

- (1)/(2) = **${runnerOverFloor.toFixed(3)}** (target ≤ 1.10: ${verdict(runnerOverFloor <= 1.1)}); CPU ${(runner.cpuSec / floor.cpuSec).toFixed(3)}
- (3)/(1) = **${naiveOverRunner.toFixed(2)}** (target ≥ 1.5: ${verdict(naiveOverRunner >= 1.5)}); CPU ${(naive.cpuSec / runner.cpuSec).toFixed(2)}
- Renditions from (1): ${renditions.join('; ')}

Floor command (2):

\`\`\`
ffmpeg ${floorCommand(source, floorDir).map(quote).join(' ')}
\`\`\`
`,
);
