-- The Breeze session of each IST trading day. An operator logs in to ICICI once a day (it cannot
-- be automated, docs/breeze-api.md#session) and hands the API_Session to the system; it is
-- exchanged for the session token once and kept here, so every worker signs with the same token.
-- ICICI ends sessions at midnight or after 24 hours, and NSE requires them logged out before the
-- next trading day (docs/breeze-api.md#session, docs/indian-market.md#sebi-retail-algo-rules): a row is good for its own IST day only.
--
-- The token is a bearer credential for the day: this table is readable by the application role
-- only, and the value never goes into logs or the audit payloads.

create table breeze_sessions (
  trading_day date primary key,
  api_session text not null,
  session_token text not null,
  user_id text not null,
  -- set when Breeze answered that the session is no longer valid; a new one must be set
  expired_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
