import type { LoginGuard } from '../../../../durable-objects/login-guard.ts';

/** The auth Worker's bindings. Every tunable is a string var with a default in config.ts. */
export interface Env {
  ENVIRONMENT: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  DB: D1Database;
  LOGIN_GUARD: DurableObjectNamespace<LoginGuard>;
  Q_ANALYTICS_EVENTS: Queue;
  Q_PROFILE_EVENTS: Queue;

  /** Secret: wraps the private signing keys stored in D1. */
  KEY_ENCRYPTION_KEY?: string;
  /** Secrets: the first admin, created when no user has this email. */
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;

  ARGON2_MEMORY_KIB?: string;
  ARGON2_ITERATIONS?: string;
  ARGON2_PARALLELISM?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_TTL_SECONDS?: string;
  SIGNING_KEY_OVERLAP_SECONDS?: string;
  PASSWORD_RESET_TTL_SECONDS?: string;
  PASSWORD_RESET_MAX_PER_WINDOW?: string;
  LOGIN_ACCOUNT_MAX_FAILURES?: string;
  LOGIN_IP_MAX_FAILURES?: string;
  LOGIN_LOCKOUT_SECONDS?: string;
  LOGIN_MAX_LOCKOUT_SECONDS?: string;
  LOGIN_FAILURE_WINDOW_SECONDS?: string;
  OAUTH_FLOW_TTL_SECONDS?: string;
  /** Comma-separated origins (besides the platform's own) that may receive OAuth tokens. */
  OAUTH_REDIRECT_ORIGINS?: string;

  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_ISSUER?: string;
  GOOGLE_AUTHORIZATION_URL?: string;
  GOOGLE_TOKEN_URL?: string;
  GOOGLE_JWKS_URL?: string;
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  GITHUB_AUTHORIZATION_URL?: string;
  GITHUB_TOKEN_URL?: string;
  GITHUB_API_URL?: string;
}
