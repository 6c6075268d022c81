-- The day's report (docs/daily-report.md): charges of a fill by kind, so a day's charges can be
-- summed as brokerage, STT, exchange, SEBI, stamp duty and GST. Fills stored before this migration
-- keep 0 in each kind; the report shows their charges as "unattributed".
alter table fills
  add column brokerage_paise bigint not null default 0,
  add column stt_paise bigint not null default 0,
  add column exchange_paise bigint not null default 0,
  add column sebi_paise bigint not null default 0,
  add column stamp_paise bigint not null default 0,
  add column gst_paise bigint not null default 0;
create index fills_account_filled on fills (account_id, filled_at);

-- One row per account and IST trading day, written by the scheduled report run; the alert event it
-- was sent as (alert_events) is recorded so a retried run sends it once.
create table daily_reports (
  account_id text not null references accounts (id),
  day date not null,
  report jsonb not null,
  event_id bigint references alert_events (id),
  created_at timestamptz not null default now(),
  primary key (account_id, day)
);
