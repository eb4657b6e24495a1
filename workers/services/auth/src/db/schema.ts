/**
 * The auth database. Times are epoch milliseconds; secrets (refresh, reset, email verification and
 * API key tokens) are stored only as SHA-256 hex digests, signing keys only wrapped with
 * KEY_ENCRYPTION_KEY.
 */

import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ApiKeyScope } from '../contract/api-keys.ts';
import { MAIL_KINDS } from '../contract/mailbox.ts';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  /** As the user typed it (trimmed); shown back to them. */
  email: text('email').notNull(),
  /** Lower-cased: the one that is compared and unique. */
  emailNormalized: text('email_normalized').notNull().unique(),
  name: text('name').notNull(),
  /** PHC-encoded argon2id; null for accounts that only ever signed in with Google or GitHub. */
  passwordHash: text('password_hash'),
  roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
  /** When the account proved it receives mail at `email` (null: not yet); linking needs it. */
  emailVerifiedAt: integer('email_verified_at'),
  /**
   * Epoch ms, moved forward by every revocation: access tokens carry the value current when they
   * were minted (`tnb`), and the gateway refuses those carrying an older one.
   */
  tokensNotBefore: integer('tokens_not_before').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One sign-in: every refresh token it ever minted belongs to it and dies with it. */
export const refreshFamilies = sqliteTable(
  'refresh_families',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    method: text('method', { enum: ['password', 'google', 'github'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
    revokedReason: text('revoked_reason', {
      enum: ['logout', 'reuse', 'password_reset', 'admin'],
    }),
  },
  (t) => [index('refresh_families_user').on(t.userId)],
);

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    familyId: text('family_id')
      .notNull()
      .references(() => refreshFamilies.id, { onDelete: 'cascade' }),
    issuedAt: integer('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Set when the token was exchanged; presenting it again is reuse. */
    usedAt: integer('used_at'),
  },
  (t) => [index('refresh_tokens_family').on(t.familyId)],
);

export const passwordResetTokens = sqliteTable(
  'password_reset_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('password_reset_tokens_user').on(t.userId, t.createdAt)],
);

/** Proves that the account receives mail at `email` (its normalized address when mailed). */
export const emailVerificationTokens = sqliteTable(
  'email_verification_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('email_verification_tokens_user').on(t.userId, t.createdAt)],
);

/** Mail kept instead of sent (MAIL_TRANSPORT=mailbox, development only), read at GET /internal/outbox. */
export const mailbox = sqliteTable(
  'mailbox',
  {
    id: text('id').primaryKey(),
    toEmail: text('to_email').notNull(),
    kind: text('kind', { enum: MAIL_KINDS }).notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    /** The secret the mail carries (a reset or verification token), for local tooling. */
    token: text('token'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('mailbox_to').on(t.toEmail, t.createdAt)],
);

/**
 * RS256 signing keys. `next` is published before it signs anything, `current` signs, `retired`
 * stays published until `expires_at` so that tokens it signed still verify.
 */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    status: text('status', { enum: ['next', 'current', 'retired'] }).notNull(),
    publicJwk: text('public_jwk', { mode: 'json' }).$type<JsonWebKey>().notNull(),
    /** AES-GCM(iv ‖ ciphertext) of the private JWK, base64url, with the kid as associated data. */
    privateJwkWrapped: text('private_jwk_wrapped').notNull(),
    createdAt: integer('created_at').notNull(),
    activatedAt: integer('activated_at'),
    retiredAt: integer('retired_at'),
    /** When a retired key leaves the JWKS. */
    expiresAt: integer('expires_at'),
  },
  // At most one `next` and one `current`: concurrent rotations cannot both win.
  (t) => [uniqueIndex('signing_keys_one_live').on(t.status).where(sql`status IN ('next', 'current')`)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The visible start of the key, e.g. `evk_ab12cd34`. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    scopes: text('scopes', { mode: 'json' }).$type<ApiKeyScope[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('api_keys_owner').on(t.ownerId)],
);

/** An OAuth sign-in in progress, between /start and /callback. */
export const oauthFlows = sqliteTable(
  'oauth_flows',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider', { enum: ['google', 'github'] }).notNull(),
    codeVerifier: text('code_verifier').notNull(),
    nonce: text('nonce').notNull(),
    /** SHA-256 of the cookie that ties the flow to the browser that started it. */
    browserBindingHash: text('browser_binding_hash').notNull(),
    /** Where the tokens go afterwards (from the allow-list); null answers JSON. */
    redirectUri: text('redirect_uri'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('oauth_flows_expiry').on(t.expiresAt)],
);

export const oauthIdentities = sqliteTable(
  'oauth_identities',
  {
    provider: text('provider', { enum: ['google', 'github'] }).notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index('oauth_identities_user').on(t.userId)],
);

export type User = typeof users.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type OAuthFlowRow = typeof oauthFlows.$inferSelect;
export type LoginMethod = (typeof refreshFamilies.$inferSelect)['method'];
export type OAuthProviderName = (typeof oauthFlows.$inferSelect)['provider'];

/** The transactional outbox, shared by every publishing service. */
export { outbox } from '../../../../../queues/outbox.ts';
