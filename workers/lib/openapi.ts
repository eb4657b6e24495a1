/** OpenAPI building blocks every service contract uses, so the document speaks one dialect. */
import { z } from '@hono/zod-openapi';

/** Every error is application/problem+json (RFC 9457); routes list it as their default response. */
export const problemResponses = {
  default: { description: 'An error (application/problem+json, RFC 9457).' },
} as const;

type Security = { [scheme: string]: string[] }[];
/** An access token (`Authorization: Bearer …`). */
export const BEARER: Security = [{ bearer: [] }];
/** An access token, or an API key (`X-API-Key`) with one of the route's scopes. */
export const BEARER_OR_API_KEY: Security = [{ bearer: [] }, { apiKey: [] }];

/** The contract's paging: `page` from 1, `limit` 20 by default and 100 at most. */
export const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1).openapi({ example: 1 }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});

export function jsonBody<S extends z.ZodType>(schema: S, description?: string, required = true) {
  return {
    required,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  };
}

export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
