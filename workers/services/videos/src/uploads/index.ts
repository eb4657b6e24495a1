import type { Env } from '../config.ts';
import { settings } from '../config.ts';
import type { MasterStorage } from './interface.ts';
import { LocalMasterStorage } from './local.ts';
import { S3MasterStorage } from './s3.ts';

export type { MasterStorage } from './interface.ts';

/** The master storage UPLOAD_MODE selects; `origin` is where local storage URLs point. */
export function masterStorage(env: Env, origin: string): MasterStorage {
  const s = settings(env);
  if (s.UPLOAD_MODE === 'local') return new LocalMasterStorage(env.MEDIA, s.STORAGE_SIGNING_KEY, origin);
  const missing = (
    ['R2_ACCOUNT_ID', 'R2_BUCKET', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'] as const
  ).filter((k) => !s[k]);
  if (missing.length) throw new Error(`UPLOAD_MODE=s3 needs ${missing.join(', ')}`);
  return new S3MasterStorage({
    accountId: s.R2_ACCOUNT_ID!,
    bucket: s.R2_BUCKET!,
    accessKeyId: s.R2_ACCESS_KEY_ID!,
    secretAccessKey: s.R2_SECRET_ACCESS_KEY!,
  });
}
