-- The exit book: what every held position asks to be watched for, one row per trade workflow. Each
-- worker keeps the whole book in memory and decides on every price tick for every position of the
-- instrument (src/activities/exit-book.ts), instead of one long-running watcher activity per
-- position, which cost every held position a heartbeat, a timer and a task slot
-- (docs/benchmarks.md#10000-held-positions-benchpositionsts). The trade workflow writes its row
-- when it starts to hold and deletes it when it stops; every change is announced on channel
-- `exit_watch` (the workflow id as payload) from the transaction that made it, so a worker's copy
-- follows the table while it listens, and a worker that (re)connects reads the whole table.
create table exit_watches (
  workflow_id text primary key,
  -- which booking of the workflow this is (its run and a count): a trade that books again (a new
  -- run, new levels) is judged afresh, and a signal names the booking it was decided for
  booking text not null,
  trade_id text not null,
  instrument jsonb not null,
  side text not null check (side in ('BUY', 'SELL')),
  stop_loss_paise bigint,
  target_paise bigint,
  -- protective orders resting at a broker that announces every change of them (the paper exchange)
  resting_order_ids text[] not null default '{}',
  booked_at timestamptz not null default now()
);

create function exit_watch_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('exit_watch', coalesce(new.workflow_id, old.workflow_id));
  return null;
end
$$;

create trigger exit_watch_changed after insert or update or delete on exit_watches
  for each row execute function exit_watch_changed();
