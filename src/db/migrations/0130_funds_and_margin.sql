-- Funds and margin before every order (issue 15).
--
-- reservations: the margin an order in flight holds against the account's funds, and the price it
-- was reserved at (a MARKET order's protective limit: the worst price it may fill at).
alter table reservations add column margin_paise bigint not null default 0 check (margin_paise >= 0);
alter table reservations add column price_paise bigint check (price_paise > 0);

-- The paper exchange's funds ledger: every fill and its charges move it. The balance is the
-- account's capital (accounts.capital_paise, from ACCOUNT_CAPITAL) plus the sum of cash_paise
-- (realized P&L less charges); the margin held is the sum of margin_paise (blocked by entry fills,
-- released by exit fills). One row per stored fill: a retried activity stores the fill once.
create table funds_ledger (
  id bigserial primary key,
  account_id text not null references accounts (id),
  trade_id text references trades (id),
  fill_id bigint unique references fills (id),
  kind text not null check (kind in ('ENTRY_FILL', 'EXIT_FILL', 'MARGIN_RELEASED', 'ADJUSTMENT')),
  cash_paise bigint not null default 0,
  margin_paise bigint not null default 0,
  at timestamptz not null default now()
);
create index funds_ledger_account on funds_ledger (account_id);
create index funds_ledger_trade on funds_ledger (trade_id);

-- The broker's funds as last read (Breeze `GET funds`), shared by every worker and the API so the
-- read is rationed across them (docs/breeze-api.md#funds-and-margin).
create table broker_funds (
  account_id text primary key references accounts (id),
  equity_allocated_paise bigint not null,
  equity_blocked_paise bigint not null,
  fno_allocated_paise bigint not null,
  fno_blocked_paise bigint not null,
  fetched_at timestamptz not null
);
