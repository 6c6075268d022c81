-- A signal id is unique per account, not across the whole system: two accounts' TradingView
-- alerts may both be called "tv-1". With the global keys the second account's trade could never
-- be inserted nor its receipt recorded, and its risk check failed for good (retried without end).
-- Replays within one account are still refused: the trade id derives from the account and the
-- signal id, and a receipt is unique per signing key.

alter table webhook_receipts drop constraint webhook_receipts_pkey;
update webhook_receipts set key_id = 'webhook' where key_id is null;
alter table webhook_receipts alter column key_id set not null;
alter table webhook_receipts add primary key (key_id, signal_id);

alter table trades drop constraint trades_signal_id_key;
alter table trades add constraint trades_account_signal_unique unique (account_id, signal_id);
