-- Baskets: several legs entered as one, all or none (src/workflows/basket.ts). Each leg is a trade
-- of its own (trades.basket_id); the basket holds the one reservation the risk manager judged for
-- all its legs (its margin, src/domain/margin.ts) and how the basket ended.

create table baskets (
  id text primary key,
  account_id text not null references accounts (id),
  workflow_id text not null unique,
  -- SHA-256 of the normalised request: the same Idempotency-Key with another body is refused
  request_fingerprint text not null,
  requested_by text not null,
  status text not null default 'PENDING' check (status in ('PENDING', 'REJECTED', 'OPEN', 'FAILED')),
  margin_paise bigint,
  legs_alone_paise bigint,
  hedged boolean,
  violations jsonb,
  reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  decided_at timestamptz
);
create index baskets_account_created on baskets (account_id, created_at desc);

alter table trades add column basket_id text references baskets (id);
alter table trades add column basket_leg int;
create index trades_basket on trades (basket_id, basket_leg) where basket_id is not null;
