-- The India rule pack's data: lot sizes, freeze quantities and tick sizes per instrument (kept as
-- data an operator updates when the exchange revises them), and per-account rule switches.

create table instrument_rules (
  exchange text not null,
  symbol text not null,
  lot_size int check (lot_size > 0),
  freeze_quantity int check (freeze_quantity > 0),
  tick_paise int check (tick_paise > 0),
  source text not null,
  primary key (exchange, symbol)
);

-- NSE index derivatives. Lot sizes: NSE circular NSE/FAOP/70616 (Oct 2025 revision, from the
-- January 2026 expiries); freeze quantities as published in NSE's quantity-freeze list
-- (NIFTY 1,800, BANKNIFTY 600). Stock F&O lots come from the Breeze security master.
insert into instrument_rules (exchange, symbol, lot_size, freeze_quantity, tick_paise, source) values
  ('NFO', 'NIFTY', 65, 1800, 5, 'NSE/FAOP/70616; NSE qty freeze list'),
  ('NFO', 'BANKNIFTY', 30, 600, 5, 'NSE/FAOP/70616; NSE qty freeze list'),
  ('NFO', 'FINNIFTY', 60, null, 5, 'NSE/FAOP/70616'),
  ('NFO', 'MIDCPNIFTY', 120, null, 5, 'NSE/FAOP/70616'),
  ('NFO', 'NIFTYNXT50', 25, null, 5, 'NSE/FAOP/70616');

create table risk_rule_switches (
  account_id text primary key references accounts (id),
  switches jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  updated_by text
);
