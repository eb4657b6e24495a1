/** Runner settings, all from the environment (12-factor: the same image runs anywhere). */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LadderRung } from '../../../workers/lib/runner-protocol.ts';
import type { LogLevel } from './log.ts';

const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const Env = z.object({
  API_URL: z.url().default('http://127.0.0.1:8787'),
  /** The runner's own token, for a runner registered before. */
  RUNNER_TOKEN: z.string().min(1).optional(),
  /** A registration token from an admin: the runner registers with it at start-up. */
  RUNNER_REGISTRATION_TOKEN: z.string().min(1).optional(),
  RUNNER_NAME: z.string().trim().min(1).max(100).default(`${hostname()}-${process.pid}`),
  CONCURRENCY: int(1, 16, 1),
  /** Idle polling starts at this wait and doubles after each empty claim, up to POLL_MAX_INTERVAL_MS. */
  POLL_INTERVAL_MS: int(100, 3_600_000, 1_000),
  POLL_MAX_INTERVAL_MS: int(100, 3_600_000, 15_000),
  WORK_DIR: z.string().min(1).default(join(tmpdir(), 'transcoder')),
  STALL_TIMEOUT_MS: int(1_000, 3_600_000, 60_000),
  X264_PRESET: z.enum(X264_PRESETS).default('veryfast'),
  /** JSON array of rungs; replaces the ladder each job carries (e.g. a fleet that must not do 1080p). */
  LADDER: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return z.array(LadderRung).min(1).parse(JSON.parse(text));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `LADDER is not a valid ladder: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  HEALTH_PORT: int(0, 65_535, 9090),
  SHUTDOWN_GRACE_MS: int(0, 3_600_000, 30_000),
  UPLOAD_CONCURRENCY: int(1, 64, 6),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface RunnerConfig {
  apiUrl: string;
  /** Set for a runner registered before; otherwise it registers with `registrationToken`. */
  runnerToken: string | undefined;
  registrationToken: string | undefined;
  /** What admins see beside the runner id the service assigns. */
  runnerName: string;
  concurrency: number;
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
  workDir: string;
  stallTimeoutMs: number;
  x264Preset: string;
  ladderOverride: LadderRung[] | undefined;
  healthPort: number;
  shutdownGraceMs: number;
  uploadConcurrency: number;
  logLevel: LogLevel;
}

export function loadConfig(env: Record<string, string | undefined>): RunnerConfig {
  // An empty variable (LADDER= in a compose file) means "not set", not "invalid".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!present.RUNNER_TOKEN && !present.RUNNER_REGISTRATION_TOKEN)
    problems.unshift('RUNNER_TOKEN or RUNNER_REGISTRATION_TOKEN: one is required');
  if (!parsed.success || problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  const e = parsed.data;
  return {
    apiUrl: e.API_URL,
    runnerToken: e.RUNNER_TOKEN,
    registrationToken: e.RUNNER_REGISTRATION_TOKEN,
    runnerName: e.RUNNER_NAME,
    concurrency: e.CONCURRENCY,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    pollMaxIntervalMs: Math.max(e.POLL_INTERVAL_MS, e.POLL_MAX_INTERVAL_MS),
    workDir: e.WORK_DIR,
    stallTimeoutMs: e.STALL_TIMEOUT_MS,
    x264Preset: e.X264_PRESET,
    ladderOverride: e.LADDER,
    healthPort: e.HEALTH_PORT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    uploadConcurrency: e.UPLOAD_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
  };
}
