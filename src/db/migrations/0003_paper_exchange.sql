-- The paper exchange: a simulated market the default broker trades against. It keeps every order
-- it receives (tags included), so tests can count what reached "the exchange".

create table paper_quotes (
  instrument_key text primary key,
  exchange text not null,
  symbol text not null,
  last_price_paise bigint not null check (last_price_paise > 0),
  -- set through POST /paper/quotes: the random walk leaves it alone
  pinned boolean not null default false,
  -- random-walk steps taken so far (each step's randomness is derived from its index)
  steps bigint not null default 0,
  updated_at timestamptz not null default now()
);

create sequence paper_order_numbers;

create table paper_orders (
  id text primary key,
  account_id text not null,
  tag text not null,
  instrument_key text not null,
  instrument jsonb not null,
  side text not null check (side in ('BUY', 'SELL')),
  quantity int not null check (quantity > 0),
  order_type text not null check (order_type in ('MARKET', 'LIMIT')),
  limit_price_paise bigint,
  strategy_id text,
  status text not null check (status in ('OPEN', 'FILLED', 'CANCELLED', 'REJECTED')),
  filled_quantity int not null default 0,
  average_price_paise bigint,
  reject_reason text,
  received_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- deliberately not unique: a real exchange accepts the same tag twice, and tests must see it if we ever did
create index paper_orders_tag on paper_orders (account_id, tag);
create index paper_orders_resting on paper_orders (instrument_key) where status = 'OPEN';

create table paper_fills (
  id bigserial primary key,
  order_id text not null references paper_orders (id),
  quantity int not null check (quantity > 0),
  price_paise bigint not null check (price_paise > 0),
  filled_at timestamptz not null default now()
);
create index paper_fills_order on paper_fills (order_id);
