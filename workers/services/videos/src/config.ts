/**
 * The videos Worker's bindings and settings. Bindings are typed by `wrangler types` from
 * wrangler.jsonc (`npm run env-types`); every setting (var or secret) is read through one zod schema.
 */
import { z } from 'zod';
import { DEFAULT_LADDER, LadderRung } from '../../../lib/runner-protocol.ts';
import { settingsReader } from '../../../lib/settings.ts';

export type Env = VideosEnv;

const GiB = 1024 ** 3;
const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const Settings = z.object({
  /** HMAC key of the storage URLs the gateway serves (a secret shared with the gateway). */
  STORAGE_SIGNING_KEY: z.string().min(1),
  UPLOAD_MODE: z.enum(['local', 's3']).default('local'),
  R2_ACCOUNT_ID: z.string().optional(),
  R2_BUCKET: z.string().optional(),
  R2_ACCESS_KEY_ID: z.string().optional(),
  R2_SECRET_ACCESS_KEY: z.string().optional(),
  /** How long a presigned upload URL stays valid. */
  UPLOAD_URL_TTL_SECONDS: int(60, 7 * 24 * 3600, 3600),
  /** The largest master accepted (multipart beyond 5 GiB). */
  MAX_MASTER_BYTES: int(1, 5 * 1024 * GiB, 50 * GiB),
  RUNNER_LEASE_SECONDS: int(2, 3600, 60),
  JOB_MAX_ATTEMPTS: int(1, 20, 3),
  JOB_RETRY_BASE_SECONDS: int(0, 3600, 30),
  /** Validity of the master GET and the output PUT prefix handed to a runner. */
  JOB_URL_TTL_SECONDS: int(60, 7 * 24 * 3600, 12 * 3600),
  TRANSCODE_LADDER: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return [...DEFAULT_LADDER];
      const parsed = z.array(LadderRung).min(1).safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: `not a ladder: ${parsed.error.message}` });
      return z.NEVER;
    }),
  SEGMENT_SECONDS: z.coerce.number().positive().max(30).default(2),
  /**
   * `aes-128`: each job carries its video's content key from PLAYBACK (job-payload.ts); `off`: jobs
   * go out in clear, e.g. where nothing serves the key URI yet.
   */
  CONTENT_ENCRYPTION: z.enum(['aes-128', 'off']).default('aes-128'),
  MAX_DURATION_SEC: int(1, 48 * 3600, 6 * 3600),
  MAX_SOURCE_WIDTH: int(16, 16384, 7680),
  MAX_SOURCE_HEIGHT: int(16, 16384, 4320),
  MAX_OUTPUT_FILE_BYTES: int(1024, 5 * GiB, 512 * 1024 * 1024),
});

export type Settings = z.output<typeof Settings>;

/** The parsed settings of this Worker (parsed once per env object). */
export const settings = settingsReader<Env, typeof Settings>('videos', Settings);
