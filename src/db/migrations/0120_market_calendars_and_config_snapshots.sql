-- The exchange calendar as data with a lifecycle (docs/indian-market.md#the-calendar-as-data).
-- A year of an exchange is known only once its calendar is loaded: a row here. Holidays stay in
-- market_holidays; special sessions (Muhurat trading) get a table of their own, with the times of
-- their circular. A year without a row is unknown: live orders in it fail closed.
create table market_calendars (
  exchange text not null,
  year int not null check (year between 2000 and 2100),
  -- where the list came from: a file, the admin route, or the migration that seeded it
  source text not null,
  -- SHA-256 (hex) of the canonical calendar loaded (holidays and sessions, sorted); null for the seed
  digest text,
  loaded_by text not null,
  loaded_at timestamptz not null default now(),
  primary key (exchange, year)
);

create table market_special_sessions (
  exchange text not null,
  day date not null,
  -- IST wall-clock times, HH:MM, as the exchange's circular gives them
  opens text not null check (opens ~ '^[0-2][0-9]:[0-5][0-9]$'),
  closes text not null check (closes ~ '^[0-2][0-9]:[0-5][0-9]$' and closes > opens),
  description text not null,
  primary key (exchange, day)
);

-- 2026 is the year migration 0004 seeded from NSE's published list (BSE follows the same list).
insert into market_calendars (exchange, year, source, digest, loaded_by) values
  ('NSE', 2026, 'migration 0004_market_holidays_2026.sql', null, 'system:migration'),
  ('BSE', 2026, 'migration 0004_market_holidays_2026.sql', null, 'system:migration');

-- The effective settings of a section at the last start, to audit what changed through the
-- environment between two starts (CONFIG_CHANGED with source "environment").
create table config_snapshots (
  section text primary key,
  settings jsonb not null,
  recorded_at timestamptz not null default now()
);
