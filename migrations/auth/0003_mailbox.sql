-- The mail log is the mailbox (src/mailbox.ts), not to be confused with the event outbox.
ALTER TABLE `outbox_mails` RENAME TO `mailbox`;
DROP INDEX `outbox_mails_to`;
CREATE INDEX `mailbox_to` ON `mailbox` (`to_email`,`created_at`);
