-- Exits that fill in parts (Breeze's protective limit for a "market" exit can fill some and
-- expire): what left the position so far, while the trade is still open. The position held is
-- filled_quantity - exited_quantity; the part exited is realized at its own prices.

alter table trades
  add column exited_quantity int not null default 0 check (exited_quantity >= 0),
  add column exited_value_paise bigint not null default 0;
alter table trades add constraint trades_exited_within_filled check (exited_quantity <= filled_quantity);
