-- TradingView alerts, one row per alert a strategy's webhook URL accepted (docs/tradingview.md).
-- TradingView resends an alert on a 5xx and a user's alert may fire twice: (strategy, order_id,
-- time) is the alert's identity, so the same alert twice is one row and one action. The row is
-- written before the 202 answer; `outcome` is set once the alert was acted on (entry, exit,
-- reverse, or ignored when the position already matched).
-- The strategy's webhook token is kept only as its SHA-256 (strategies.webhook_token_hash, 0140).

create table tradingview_alerts (
  id bigserial primary key,
  strategy_id text not null references strategies (id),
  account_id text not null references accounts (id),
  order_id text not null,
  alert_time text not null,
  body jsonb not null,
  received_at timestamptz not null default now(),
  outcome text,
  trade_ids text[] not null default '{}',
  acted_at timestamptz,
  unique (strategy_id, order_id, alert_time)
);
