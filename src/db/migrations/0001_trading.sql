-- Accounts, trades, broker legs, fills and risk reservations. Money is integer paise (bigint);
-- times are timestamptz, stored in UTC.

create table accounts (
  id text primary key,
  name text not null,
  capital_paise bigint not null check (capital_paise >= 0),
  trading_state text not null default 'ACTIVE' check (trading_state in ('ACTIVE', 'REDUCING', 'HALTED')),
  state_reason text,
  state_changed_at timestamptz not null default now(),
  state_changed_by text,
  -- HALTED may not be lifted before this time (minimum hold, loss cool-down)
  resume_not_before timestamptz,
  created_at timestamptz not null default now()
);

-- Limits changed at run time (PUT /risk/limits); unset keys fall back to the RISK_* settings.
create table risk_limit_overrides (
  account_id text primary key references accounts (id),
  limits jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  updated_by text
);

-- Loosening a limit needs a second admin (maker-checker).
create table risk_limit_changes (
  id bigserial primary key,
  account_id text not null references accounts (id),
  old_limits jsonb not null,
  new_limits jsonb not null,
  requested_by text not null,
  requested_at timestamptz not null default now(),
  status text not null default 'PENDING' check (status in ('PENDING', 'APPROVED', 'REJECTED', 'APPLIED')),
  decided_by text,
  decided_at timestamptz
);

create table trades (
  id text primary key,
  account_id text not null references accounts (id),
  workflow_id text not null unique,
  run_id text,
  -- SHA-256 of the normalised request: the same Idempotency-Key with another body is refused
  request_fingerprint text not null,
  source text not null default 'api' check (source in ('api', 'webhook')),
  signal_id text unique,
  requested_by text not null,
  strategy_id text,
  symbol text not null,
  exchange text not null,
  product text not null,
  expiry date,
  strike_paise bigint,
  option_right text,
  side text not null check (side in ('BUY', 'SELL')),
  quantity int not null check (quantity > 0),
  order_type text not null check (order_type in ('MARKET', 'LIMIT')),
  limit_price_paise bigint check (limit_price_paise > 0),
  stop_loss_paise bigint check (stop_loss_paise > 0),
  target_paise bigint check (target_paise > 0),
  intraday boolean not null,
  status text not null check (status in ('PENDING', 'REJECTED', 'OPEN', 'EXITING', 'CLOSED', 'FAILED', 'CANCELLED')),
  reject_reason text,
  violations jsonb,
  filled_quantity int not null default 0,
  entry_price_paise bigint,
  exit_price_paise bigint,
  gross_pnl_paise bigint,
  charges_paise bigint not null default 0,
  realized_pnl_paise bigint,
  exit_reason text,
  created_at timestamptz not null default now(),
  opened_at timestamptz,
  closed_at timestamptz,
  updated_at timestamptz not null default now()
);
create index trades_account_created on trades (account_id, created_at desc, id desc);
create index trades_account_open on trades (account_id) where status in ('PENDING', 'OPEN', 'EXITING');
create index trades_closed_at on trades (account_id, closed_at) where status = 'CLOSED';

-- Exposure held for a trade between the risk check and its fill: it counts against every limit.
create table reservations (
  trade_id text primary key references trades (id),
  account_id text not null references accounts (id),
  instrument_key text not null,
  side text not null,
  quantity int not null check (quantity > 0),
  notional_paise bigint not null check (notional_paise >= 0),
  status text not null check (status in ('ACTIVE', 'CONVERTED', 'RELEASED')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index reservations_active on reservations (account_id) where status = 'ACTIVE';

-- One row per broker leg; the tag travels to the broker so a leg is found again after a crash.
create table orders (
  tag text primary key,
  trade_id text not null references trades (id),
  account_id text not null references accounts (id),
  leg text not null check (leg in ('ENTRY', 'EXIT')),
  side text not null,
  quantity int not null check (quantity > 0),
  order_type text not null,
  limit_price_paise bigint,
  status text not null check (status in ('NEW', 'UNKNOWN', 'OPEN', 'FILLED', 'CANCELLED', 'REJECTED', 'NOT_SENT')),
  broker_order_id text,
  filled_quantity int not null default 0,
  average_price_paise bigint,
  reject_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index orders_trade on orders (trade_id);
create index orders_account_created on orders (account_id, created_at);

create table fills (
  id bigserial primary key,
  order_tag text not null references orders (tag),
  trade_id text not null references trades (id),
  account_id text not null references accounts (id),
  broker_fill_id text not null,
  quantity int not null check (quantity > 0),
  price_paise bigint not null check (price_paise > 0),
  charges_paise bigint not null default 0,
  filled_at timestamptz not null,
  unique (order_tag, broker_fill_id)
);
create index fills_trade on fills (trade_id);

-- Exchange holidays, kept as data an operator updates when the exchange publishes its circular.
create table market_holidays (
  exchange text not null,
  day date not null,
  description text not null,
  primary key (exchange, day)
);

-- Last prices seen (quotes and fills), for risk checks and unrealized P&L; stale ones fail closed.
create table market_prices (
  instrument_key text primary key,
  price_paise bigint not null check (price_paise > 0),
  at timestamptz not null
);
