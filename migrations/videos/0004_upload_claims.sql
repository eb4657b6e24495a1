-- A single-PUT upload URL is spent once its master is stored: the gateway's storage endpoint claims
-- the upload before writing, so two PUTs never write the same master at once.
ALTER TABLE `uploads` ADD `claimed_until` integer;
