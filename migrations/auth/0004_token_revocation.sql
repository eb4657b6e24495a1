-- Access-token revocation: every revocation moves the account's tokens_not_before (epoch ms)
-- forward, and the gateway refuses tokens minted before it (src/revocation.ts).
ALTER TABLE `users` ADD `tokens_not_before` integer DEFAULT 0 NOT NULL;

