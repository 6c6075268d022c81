-- An account's book (its trades) or its limits changed: announced on channel `account_book`, the
-- account's id as payload, from the transaction that made the change. The daily-loss guard reads an
-- account's open positions, the day's realized P&L and its limits again when told, instead of
-- every second (src/activities/daily-loss.ts): with 40 accounts that was 120 reads a second of an
-- idle worker, each of an account's whole book (docs/benchmarks.md#10000-held-positions-benchpositionsts).
create function account_book_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('account_book', coalesce(new.account_id, old.account_id));
  return null;
end
$$;

create trigger account_book_changed after insert or update or delete on trades
  for each row execute function account_book_changed();

create trigger account_limits_changed after insert or update or delete on risk_limit_overrides
  for each row execute function account_book_changed();
