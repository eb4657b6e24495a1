import { createRoute, z } from '@hono/zod-openapi';
import { defineRoute } from '../../../../lib/api.ts';
import { json, Paging, problems, VideoIdParam } from './schemas.ts';

const tags = ['Audit'];

export const AuditEntry = z
  .object({
    auditId: z.string(),
    at: z.string(),
    actor: z.object({ id: z.string(), type: z.enum(['user', 'api_key', 'runner', 'system']) }),
    action: z.string().openapi({ example: 'video.update' }),
    videoId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .openapi('AuditEntry');

export const videoAudit = defineRoute({
  id: 'videos.audit',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/videos/{id}/audit',
    tags,
    summary: 'The audit trail of one video, newest first (admin; paged).',
    request: { params: VideoIdParam, query: Paging },
    responses: { 200: json(z.array(AuditEntry), 'Entries.'), ...problems },
  }),
});

export const auditLog = defineRoute({
  id: 'videos.auditLog',
  service: 'videos',
  policy: { access: 'admin', scopes: ['videos:admin'] },
  route: createRoute({
    method: 'get',
    path: '/audit-log',
    tags,
    summary: 'Every admin action on videos, newest first (admin; paged, filterable).',
    request: {
      query: Paging.extend({
        videoId: z.string().max(64).optional(),
        actorId: z.string().max(100).optional(),
        action: z.string().max(64).optional().openapi({ example: 'video.delete' }),
      }),
    },
    responses: { 200: json(z.array(AuditEntry), 'Entries.'), ...problems },
  }),
});

export const auditRoutes = [videoAudit, auditLog] as const;
