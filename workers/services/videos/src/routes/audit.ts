import { implement } from '../../../../lib/api.ts';
import { listAudit } from '../audit.ts';
import type { Env } from '../config.ts';
import { auditLog, videoAudit } from '../contract/audit.ts';
import { database } from '../db/client.ts';

export const videoAuditHandler = implement(videoAudit, async (input, _caller, env: Env) => {
  const { entries, total } = await listAudit(database(env.DB), { ...input.query, videoId: input.params.id });
  return { status: 200, body: entries, total };
});

export const auditLogHandler = implement(auditLog, async (input, _caller, env: Env) => {
  const { entries, total } = await listAudit(database(env.DB), input.query);
  return { status: 200, body: entries, total };
});
