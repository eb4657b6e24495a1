/**
 * The one error type of the platform. Anything thrown as a Problem becomes an RFC 9457
 * application/problem+json response; anything else becomes an opaque 500.
 */
export type ProblemCode =
  | 'bad_request'
  | 'validation_failed'
  | 'malformed_json'
  | 'unknown_version'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payment_required'
  | 'gone'
  | 'unprocessable'
  | 'length_required'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'range_not_satisfiable'
  | 'rate_limited'
  | 'internal'
  | 'not_implemented'
  | 'bad_gateway'
  | 'service_unavailable'
  | 'gateway_timeout';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function statusOf(code: ProblemCode): number {
  switch (code) {
    case 'bad_request':
    case 'validation_failed':
    case 'malformed_json':
    case 'unknown_version':
      return 400;
    case 'unauthorized':
      return 401;
    case 'payment_required':
      return 402;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'conflict':
      return 409;
    case 'gone':
      return 410;
    case 'unprocessable':
      return 422;
    case 'length_required':
      return 411;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'range_not_satisfiable':
      return 416;
    case 'rate_limited':
      return 429;
    case 'not_implemented':
      return 501;
    case 'bad_gateway':
      return 502;
    case 'service_unavailable':
      return 503;
    case 'gateway_timeout':
      return 504;
    case 'internal':
      return 500;
  }
}

const TITLES: Record<ProblemCode, string> = {
  bad_request: 'Bad Request',
  validation_failed: 'Validation Failed',
  malformed_json: 'Malformed JSON',
  unknown_version: 'Unknown API Version',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not Found',
  method_not_allowed: 'Method Not Allowed',
  conflict: 'Conflict',
  payment_required: 'Payment Required',
  gone: 'Gone',
  unprocessable: 'Unprocessable Content',
  length_required: 'Length Required',
  range_not_satisfiable: 'Range Not Satisfiable',
  payload_too_large: 'Payload Too Large',
  unsupported_media_type: 'Unsupported Media Type',
  rate_limited: 'Too Many Requests',
  internal: 'Internal Server Error',
  not_implemented: 'Not Implemented',
  bad_gateway: 'Bad Gateway',
  service_unavailable: 'Service Unavailable',
  gateway_timeout: 'Gateway Timeout',
};

export interface ProblemInit {
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members of the problem object (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
}

export class Problem extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(code: ProblemCode, detail: string, init: ProblemInit = {}) {
    super(detail);
    this.name = 'Problem';
    this.code = code;
    this.status = statusOf(code);
    if (init.errors) this.errors = init.errors;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }

  static badRequest(detail: string, errors?: FieldError[]) {
    return new Problem(errors ? 'validation_failed' : 'bad_request', detail, errors ? { errors } : {});
  }
  static unauthorized(detail = 'Missing or invalid credentials.', error = 'invalid_token') {
    const challenge = `Bearer realm="api", error="${error}", error_description="${detail.replaceAll('"', "'")}"`;
    return new Problem('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
  }
  static forbidden(detail = 'You are not allowed to do this.') {
    return new Problem('forbidden', detail);
  }
  static notFound(detail = 'No such resource.') {
    return new Problem('not_found', detail);
  }
  static conflict(detail: string) {
    return new Problem('conflict', detail);
  }

  toBody(requestId?: string, instance?: string): ProblemBody {
    return {
      type: `https://errors.edge-video.dev/${this.code.replaceAll('_', '-')}`,
      title: TITLES[this.code],
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(requestId ? { requestId } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }

  /** A plain, structured-clone-safe form that crosses RPC and queue boundaries. */
  toJSON(): SerializedProblem {
    return {
      code: this.code,
      detail: this.message,
      errors: this.errors,
      headers: this.headers,
      extensions: this.extensions,
    };
  }

  static fromJSON(s: SerializedProblem): Problem {
    return new Problem(s.code, s.detail, {
      ...(s.errors ? { errors: s.errors } : {}),
      headers: s.headers ?? {},
      extensions: s.extensions ?? {},
    });
  }
}

export interface SerializedProblem {
  code: ProblemCode;
  detail: string;
  errors?: FieldError[] | undefined;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(
  problem: Problem,
  requestId: string | undefined,
  instance?: string,
  extraHeaders?: ConstructorParameters<typeof Headers>[0],
): Response {
  const headers = new Headers(extraHeaders);
  headers.set('Content-Type', PROBLEM_CONTENT_TYPE);
  for (const [k, v] of Object.entries(problem.headers)) headers.set(k, v);
  return new Response(JSON.stringify(problem.toBody(requestId, instance)), {
    status: problem.status,
    headers,
  });
}

/** Zod issues (v4 shape) as contract field errors. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix = '',
): FieldError[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || prefix || '(root)',
    message: i.message,
  }));
}
