-- Monitoring and alerting: alert state and history, channel deliveries, intraday P&L samples, the
-- last audit-chain verifications, per-process heartbeats (system gauges) and broker call buckets.
-- The evaluator runs in whichever worker Temporal hands it to, so everything it needs from other
-- processes comes through these tables rather than through one process's memory.

-- One row per alert instance (rule id plus its labels): where it stands and what was last sent.
create table alert_state (
  key text primary key,
  rule_id text not null,
  labels jsonb not null default '{}',
  severity text not null check (severity in ('info', 'warning', 'critical')),
  status text not null check (status in ('PENDING', 'FIRING', 'RESOLVED')),
  -- the condition has held since then (this episode)
  active_since timestamptz,
  fired_at timestamptz,
  resolved_at timestamptz,
  -- the last status told to the channels, and when (dedup and cool-down)
  notified_status text check (notified_status in ('FIRING', 'RESOLVED')),
  notified_at timestamptz,
  value double precision,
  summary text not null,
  updated_at timestamptz not null default now()
);

-- Every notification, in order; `dispatched_at` is set once its deliveries were started, so a
-- notification committed by an evaluation whose result got lost is still sent by the next one.
create table alert_events (
  id bigserial primary key,
  alert_key text not null,
  rule_id text not null,
  status text not null check (status in ('FIRING', 'RESOLVED')),
  severity text not null,
  summary text not null,
  labels jsonb not null default '{}',
  value double precision,
  occurred_at timestamptz not null default now(),
  dispatched_at timestamptz
);
create index alert_events_recent on alert_events (occurred_at desc, id desc);
create index alert_events_undispatched on alert_events (id) where dispatched_at is null;

create table alert_deliveries (
  event_id bigint not null references alert_events (id),
  channel text not null,
  status text not null check (status in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts int not null default 0,
  last_error text,
  delivered_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (event_id, channel)
);

-- The evaluator's last run (one row): a stale time here means no evaluator is running.
create table alert_evaluations (
  id int primary key check (id = 1),
  evaluated_at timestamptz not null,
  rules int not null,
  firing int not null
);

-- Intraday P&L, sampled by the evaluator for the console's chart.
create table pnl_samples (
  account_id text not null references accounts (id),
  at timestamptz not null,
  realized_paise bigint not null,
  unrealized_paise bigint not null,
  primary key (account_id, at)
);

-- Results of the periodic audit-chain walk (expensive: scrapes read the last one, never walk).
create table audit_verifications (
  id bigserial primary key,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  ok boolean not null,
  records bigint not null,
  head_seq bigint not null,
  first_bad_seq bigint,
  reason text
);

-- Each api and worker process writes its own row every few seconds.
create table monitor_heartbeats (
  source text primary key,
  kind text not null,
  host text not null,
  pid int not null,
  at timestamptz not null,
  cpu_ratio double precision,
  memory_ratio double precision,
  disk_free_ratio double precision,
  event_loop_lag_seconds double precision
);

-- Broker calls per minute and process, flushed by each worker: error rates across all workers.
create table broker_call_buckets (
  bucket timestamptz not null,
  source text not null,
  broker text not null,
  calls int not null default 0,
  errors int not null default 0,
  last_success_at timestamptz,
  last_session_expired_at timestamptz,
  primary key (bucket, source)
);
