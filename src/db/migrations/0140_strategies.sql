-- Strategies: a registry per account, each with the exchange-issued algo id its orders carry
-- (SEBI retail-algo framework, docs/indian-market.md#sebi-retail-algo-rules), limits of its own
-- (unset keys: only the account's limits apply) and a kill switch of its own (state). Trades
-- without a strategy belong to the account's default strategy, which is not a row: its algo id is
-- the ALGO_ID setting (docs/strategies.md).

create table strategies (
  id text primary key,
  account_id text not null references accounts (id),
  name text not null,
  algo_id text not null,
  limits jsonb not null default '{}',
  state text not null default 'ACTIVE' check (state in ('ACTIVE', 'HALTED')),
  state_reason text,
  state_changed_at timestamptz not null default now(),
  state_changed_by text,
  -- Room for a per-strategy TradingView webhook (its secret token's hash); nothing sets it yet.
  webhook_token_hash text unique,
  created_by text not null,
  created_at timestamptz not null default now(),
  unique (account_id, name)
);

-- The strategy a trade was judged under (its id, or 'default') and the algo id its orders carry.
alter table trades add column strategy text;
alter table trades add column algo_id text;
create index trades_strategy_open on trades (account_id, strategy) where status in ('PENDING', 'OPEN', 'EXITING');
