-- Access-token revocation: every revocation moves the account's tokens_not_before (epoch ms)
-- forward, and the gateway refuses tokens minted before it (src/revocation.ts).
ALTER TABLE `users` ADD `tokens_not_before` integer DEFAULT 0 NOT NULL;

-- API keys: the `admin` scope (which passed every admin route) is retired; scopes are fine-grained.
-- Keys keep their other scopes; keys left with none are revoked.
UPDATE `api_keys`
SET `scopes` = (SELECT json_group_array(s.value) FROM json_each(`api_keys`.`scopes`) AS s WHERE s.value <> 'admin')
WHERE EXISTS (SELECT 1 FROM json_each(`api_keys`.`scopes`) AS s WHERE s.value = 'admin');
UPDATE `api_keys`
SET `revoked_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE `scopes` = '[]' AND `revoked_at` IS NULL;
