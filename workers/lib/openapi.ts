/**
 * OpenAPI building blocks every service contract uses, so the document speaks one dialect, and
 * `documentRoute`, which derives from a route's policy what every operation must say alike:
 * operationId, security, the problem+json answers it can give and the headers it sends.
 */
import { type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import { API_KEY_SCOPES, type ApiRoute, DEFAULT_BODY_LIMIT, type RoutePolicy } from './api.ts';

/** Every error is application/problem+json (RFC 9457); routes list it as their default response. */
export const problemResponses = {
  default: { description: 'An error (application/problem+json, RFC 9457).' },
} as const;

/** The contract's paging: `page` from 1, `limit` 20 by default and 100 at most. */
export const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1).openapi({ example: 1 }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});

/** `{id}` of the `/videos/{id}/…` paths, whichever service answers them. */
export const VideoIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'vid_01jd8x0c7n2x3a4b5c6d7e8f9g' }),
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

/** The body of every error response, as `Problem.toBody` (lib/problem.ts) writes it. */
export const ProblemDetails = z
  .object({
    type: z.url().openapi({ example: 'https://errors.edge-video.dev/validation-failed' }),
    title: z.string().openapi({ example: 'Validation Failed' }),
    status: z.number().int().min(400).max(599).openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'The request body is invalid.' }),
    instance: z.string().optional().openapi({ description: 'The request path.', example: '/videos' }),
    requestId: z.string().openapi({
      description: 'The `X-Request-Id` of the response; quote it when reporting a problem.',
      example: '6f1c2a7e-4b8d-4e3a-9a51-2c0d7f3b9e10',
    }),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ example: 'body.title' }),
          message: z.string().openapi({ example: 'Too small: expected string to have >=1 characters' }),
        }),
      )
      .optional()
      .openapi({ description: 'Each field that failed validation.' }),
  })
  .openapi('Problem', { description: 'Problem details (RFC 9457). Further members may be present.' });

const integer = { type: 'integer' as const, minimum: 0 };
const string = { type: 'string' as const };
/** Response headers, documented once under components/headers and referenced by each response. */
const HEADERS = {
  'X-Request-Id': {
    description:
      'The request id: the one the client sent, or a generated one. Errors repeat it as `requestId`.',
    schema: string,
  },
  'RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: integer },
  'RateLimit-Remaining': { description: 'Requests left in the current window.', schema: integer },
  'RateLimit-Reset': { description: 'Seconds until the current window ends.', schema: integer },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: integer },
  'X-Total-Count': { description: 'The number of items across all pages.', schema: integer },
  Link: {
    description: 'RFC 8288 links to the `next`, `prev`, `first` and `last` pages (same `limit`).',
    schema: string,
  },
  ETag: { description: 'A validator of the representation; send it in `If-None-Match`.', schema: string },
  'WWW-Authenticate': {
    description: 'A Bearer challenge (RFC 6750) saying why the credentials were refused.',
    schema: string,
  },
};
type HeaderName = keyof typeof HEADERS;

const SECURITY_SCHEMES = {
  bearer: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An RS256 access token from `/auth/login`, `/auth/signup` or `/auth/refresh`.',
  },
  apiKey: {
    type: 'apiKey' as const,
    in: 'header' as const,
    name: 'X-API-Key',
    description:
      `An API key issued by an admin, with fine-grained scopes (${API_KEY_SCOPES.map((s) => `\`${s}\``).join(', ')}). ` +
      'It passes exactly the routes that list one of its ' +
      'scopes and carries no role; no key can change roles, delete accounts, issue or revoke keys, ' +
      'rotate signing keys or read mail. It stops working when revoked, expired, or when its owner ' +
      'is no longer an admin.',
  },
};

/** Registers the components that `documentRoute` refers to; `versions` are the API versions served. */
export function registerComponents(
  registry: OpenAPIHono['openAPIRegistry'],
  versions: readonly string[],
): void {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    registry.registerComponent('securitySchemes', name, scheme);
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent('headers', name, header);
  registry.registerComponent('parameters', 'ApiVersion', {
    name: 'API-Version',
    in: 'header',
    required: false,
    description: 'Pins an API version (as a `/v<n>` path prefix does); without it the newest answers.',
    schema: { type: 'string', enum: [...versions] },
  });
  registry.register('Problem', ProblemDetails);
}

/** `videos.create` → `videosCreate`: unique as route ids are, and a valid identifier in any SDK. */
export function operationId(routeId: string): string {
  const [first = '', ...rest] = routeId.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return (
    first.charAt(0).toLowerCase() +
    first.slice(1) +
    rest.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
  );
}

/** Internal routes (operations, transcoder runners) are served but not published. */
export function isInternal(route: ApiRoute): boolean {
  return (
    route.policy.hidden === true ||
    route.policy.access === 'runner' ||
    route.route.path.startsWith('/internal/')
  );
}

/** Bearer for every non-public route; an API key as well where the policy names scopes. */
export function securityOf(policy: RoutePolicy): Record<string, string[]>[] {
  if (policy.access === 'public') return [];
  return [{ bearer: [] }, ...(policy.scopes ?? []).map((scope) => ({ apiKey: [scope] }))];
}

export function takesJsonBody(route: ApiRoute): boolean {
  const body = route.route.request?.body as { content?: Record<string, unknown> } | undefined;
  return Boolean(body?.content?.['application/json']);
}

function isPaged(route: ApiRoute): boolean {
  const query = route.route.request?.query;
  const shape = query && 'shape' in query ? (query.shape as Record<string, unknown>) : {};
  return 'page' in shape && 'limit' in shape;
}

const isRateLimited = (policy: RoutePolicy) => (policy.rateLimit ?? 'default') !== 'none';
const isCachedGet = (route: ApiRoute) =>
  route.route.method === 'get' && route.policy.cache !== undefined && route.policy.cache !== 'no-store';

/** The problem answers a route can give, each with what it means there. */
function problemsOf(route: ApiRoute): Record<string, string> {
  const { policy, route: config } = route;
  const request = config.request ?? {};
  const out: Record<string, string> = {};
  // Every route answers 400 to an unknown API version; routes with input also to invalid input.
  out[400] =
    request.query || request.params || request.body
      ? 'The request is invalid: malformed JSON, fields that fail validation (each in `errors`), or an unknown API version.'
      : 'An unknown API version.';
  if (policy.access !== 'public') out[401] = 'Missing, malformed, expired or forged credentials.';
  if (policy.access !== 'public' || policy.ipGroup) {
    out[403] = policy.ipGroup
      ? 'Not allowed: the caller, its API key scopes or its network may not use this route.'
      : 'Not allowed: the caller or its API key scopes may not use this route.';
  }
  if (config.path.includes('{')) out[404] = 'No such resource.';
  if (takesJsonBody(route)) {
    out[413] = `The body is larger than ${policy.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes.`;
    out[415] = 'The body is not `application/json`.';
  }
  if (isRateLimited(policy)) out[429] = 'Too many requests: wait `Retry-After` seconds.';
  out.default = 'An unexpected error; it never holds internals, and carries `requestId`.';
  return out;
}

type Response = RouteConfig['responses'][string];
type Headers = NonNullable<Exclude<Response, { $ref: string }>['headers']>;

function headersOf(route: ApiRoute, status: string): HeaderName[] {
  const names: HeaderName[] = ['X-Request-Id'];
  // Access is checked before the rate limit, so 401 and 403 carry no RateLimit-* headers.
  if (isRateLimited(route.policy) && status !== '401' && status !== '403')
    names.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
  if (status === '429') names.push('Retry-After');
  if (status === '401') names.push('WWW-Authenticate');
  if (status === '200' && isPaged(route)) names.push('X-Total-Count', 'Link');
  if (['200', '206', '304'].includes(status) && isCachedGet(route)) names.push('ETag');
  return names;
}

function withHeaders(given: Headers | undefined, names: HeaderName[]): Headers {
  // A contract that describes its headers with a zod object keeps them as they are.
  if (given instanceof z.ZodObject) return given;
  const refs = Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));
  return { ...refs, ...given };
}

/**
 * The route's OpenAPI operation as the gateway serves it. What the policy decides wins over the
 * contract (security); what the contract says more precisely is kept (an error's description).
 */
export function documentRoute(route: ApiRoute): RouteConfig {
  const given = route.route.responses;
  const described: Record<string, Response> = {};
  for (const [status, description] of Object.entries(problemsOf(route)))
    described[status] = given[status] ?? { description };
  if (isCachedGet(route))
    described[304] = { description: 'Not modified: `If-None-Match` matched the `ETag`.' };

  const responses: Record<string, Response> = {};
  for (const [status, response] of Object.entries({ ...described, ...given })) {
    if ('$ref' in response) {
      responses[status] = response;
      continue;
    }
    const isProblem = status === 'default' || Number(status) >= 400;
    responses[status] = {
      ...response,
      headers: withHeaders(response.headers, headersOf(route, status)),
      ...(isProblem && !response.content
        ? { content: { 'application/problem+json': { schema: ProblemDetails } } }
        : {}),
    };
  }
  return {
    ...route.route,
    operationId: operationId(route.id),
    security: securityOf(route.policy),
    parameters: [
      { $ref: '#/components/parameters/ApiVersion' },
      ...(route.route.parameters ?? []),
    ] as RouteConfig['parameters'],
    responses,
  };
}
