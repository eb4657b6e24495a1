import { z } from 'zod';
import type { GuardPolicy, SpreadPolicy } from '../../../../durable-objects/login-guard.ts';
import { MAX_ACCESS_TOKEN_LIFETIME_SEC } from '../../../lib/access-token.ts';
import { settingsReader } from '../../../lib/settings.ts';
import type { Env } from './env.ts';
import type { MailTransportName, Sender } from './mail/interface.ts';

/** The contract caps access tokens at 15 minutes, whatever the configuration says (and verifiers check). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = MAX_ACCESS_TOKEN_LIFETIME_SEC;

/** OWASP's floor for argon2id: 19 MiB, 2 passes, 1 lane. Configuration may raise it, never lower it. */
export const ARGON2_FLOOR = { memoryKib: 19_456, iterations: 2, parallelism: 1 } as const;

export interface Argon2Params {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

export interface AuthConfig {
  argon2: Argon2Params;
  accessTokenTtlSec: number;
  refreshTokenTtlMs: number;
  signingKeyOverlapMs: number;
  passwordResetTtlMs: number;
  /** Reset mails per account per reset lifetime; more are dropped silently (still 202). */
  passwordResetMaxPerWindow: number;
  /** Failures of one client bucket against one account. */
  pairGuard: GuardPolicy;
  /** Failures of one client bucket against any account (password spraying). */
  ipGuard: GuardPolicy;
  /** Distinct client buckets failing against one account (a distributed attack). */
  accountGuard: SpreadPolicy;
  oauthFlowTtlMs: number;
  oauthRedirectOrigins: string[];
  emailVerificationTtlMs: number;
  /** Verification mails per account per hour; more are dropped silently. */
  emailVerificationMaxPerHour: number;
  mail: { transport: MailTransportName; from: Sender };
}

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const text = z.string().optional();

/** Environments whose mail must really be sent: no route may serve its tokens. */
const DEPLOYED = ['staging', 'production'];

/** Every setting of the auth Worker: wrangler vars (defaults here) and secrets. */
const Settings = z
  .object({
    ENVIRONMENT: z.string().default('development'),
    JWT_ISSUER: z.string().min(1),
    JWT_AUDIENCE: z.string().min(1),
    /** Secret: wraps the private signing keys stored in D1. */
    KEY_ENCRYPTION_KEY: text,
    /** Secrets: the first admin, created when no user has this email. */
    ADMIN_EMAIL: text,
    ADMIN_PASSWORD: text,
    ARGON2_MEMORY_KIB: count(ARGON2_FLOOR.memoryKib),
    ARGON2_ITERATIONS: count(ARGON2_FLOOR.iterations),
    ARGON2_PARALLELISM: count(ARGON2_FLOOR.parallelism),
    ACCESS_TOKEN_TTL_SECONDS: count(MAX_ACCESS_TOKEN_TTL_SECONDS),
    REFRESH_TOKEN_TTL_SECONDS: count(30 * 24 * 3600),
    SIGNING_KEY_OVERLAP_SECONDS: count(3600),
    PASSWORD_RESET_TTL_SECONDS: count(1800),
    PASSWORD_RESET_MAX_PER_WINDOW: count(3),
    LOGIN_PAIR_MAX_FAILURES: count(5),
    LOGIN_IP_MAX_FAILURES: count(30),
    LOGIN_LOCKOUT_SECONDS: count(30),
    LOGIN_MAX_LOCKOUT_SECONDS: count(900),
    LOGIN_FAILURE_WINDOW_SECONDS: count(900),
    LOGIN_ACCOUNT_MAX_SOURCES: count(10),
    LOGIN_ACCOUNT_LOCKOUT_SECONDS: count(900),
    OAUTH_FLOW_TTL_SECONDS: count(600),
    /** Comma-separated origins (besides the platform's own) that may receive OAuth tokens. */
    OAUTH_REDIRECT_ORIGINS: z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    /** Google and GitHub sign-in are on when their client id and secret (a secret) are set. */
    GOOGLE_CLIENT_ID: text,
    GOOGLE_CLIENT_SECRET: text,
    GOOGLE_ISSUER: text,
    GOOGLE_AUTHORIZATION_URL: text,
    GOOGLE_TOKEN_URL: text,
    GOOGLE_JWKS_URL: text,
    GITHUB_CLIENT_ID: text,
    GITHUB_CLIENT_SECRET: text,
    GITHUB_AUTHORIZATION_URL: text,
    GITHUB_TOKEN_URL: text,
    GITHUB_API_URL: text,
    /** mailbox (development: kept in D1, served at /internal/outbox), send_email or http. */
    MAIL_TRANSPORT: z.enum(['mailbox', 'send_email', 'http']).default('mailbox'),
    MAIL_FROM: z.email().default('no-reply@edge-video.dev'),
    MAIL_FROM_NAME: z.string().default('Edge Video'),
    /** The HTTP mail API (MAIL_TRANSPORT=http) and its bearer key (a secret). */
    MAIL_API_URL: z.url().optional(),
    MAIL_API_KEY: text,
    EMAIL_VERIFICATION_TTL_SECONDS: count(24 * 3600),
    EMAIL_VERIFICATION_MAX_PER_HOUR: count(3),
  })
  .refine((s) => !(DEPLOYED.includes(s.ENVIRONMENT) && s.MAIL_TRANSPORT === 'mailbox'), {
    path: ['MAIL_TRANSPORT'],
    message: 'the mailbox serves reset tokens; staging and production must send mail (send_email or http)',
  });

export type Settings = z.output<typeof Settings>;

/** The parsed settings of this Worker (parsed once per env object). */
export const settings = settingsReader<Env, typeof Settings>('auth', Settings);

const cache = new WeakMap<Settings, AuthConfig>();

/** The policies the settings make, with the floors and caps the contract puts on them. */
export function config(env: Env): AuthConfig {
  const s = settings(env);
  const hit = cache.get(s);
  if (hit) return hit;
  const lockoutMs = s.LOGIN_LOCKOUT_SECONDS * 1000;
  const maxLockoutMs = s.LOGIN_MAX_LOCKOUT_SECONDS * 1000;
  const windowMs = s.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const made: AuthConfig = {
    argon2: {
      memoryKib: Math.max(ARGON2_FLOOR.memoryKib, s.ARGON2_MEMORY_KIB),
      iterations: Math.max(ARGON2_FLOOR.iterations, s.ARGON2_ITERATIONS),
      parallelism: s.ARGON2_PARALLELISM,
    },
    accessTokenTtlSec: Math.min(MAX_ACCESS_TOKEN_TTL_SECONDS, s.ACCESS_TOKEN_TTL_SECONDS),
    refreshTokenTtlMs: s.REFRESH_TOKEN_TTL_SECONDS * 1000,
    signingKeyOverlapMs: s.SIGNING_KEY_OVERLAP_SECONDS * 1000,
    passwordResetTtlMs: s.PASSWORD_RESET_TTL_SECONDS * 1000,
    passwordResetMaxPerWindow: s.PASSWORD_RESET_MAX_PER_WINDOW,
    pairGuard: { maxFailures: s.LOGIN_PAIR_MAX_FAILURES, windowMs, lockoutMs, maxLockoutMs },
    ipGuard: { maxFailures: s.LOGIN_IP_MAX_FAILURES, windowMs, lockoutMs, maxLockoutMs },
    accountGuard: {
      maxSources: s.LOGIN_ACCOUNT_MAX_SOURCES,
      windowMs,
      lockoutMs: s.LOGIN_ACCOUNT_LOCKOUT_SECONDS * 1000,
    },
    oauthFlowTtlMs: s.OAUTH_FLOW_TTL_SECONDS * 1000,
    oauthRedirectOrigins: s.OAUTH_REDIRECT_ORIGINS,
    emailVerificationTtlMs: s.EMAIL_VERIFICATION_TTL_SECONDS * 1000,
    emailVerificationMaxPerHour: s.EMAIL_VERIFICATION_MAX_PER_HOUR,
    mail: { transport: s.MAIL_TRANSPORT, from: { name: s.MAIL_FROM_NAME, address: s.MAIL_FROM } },
  };
  cache.set(s, made);
  return made;
}
