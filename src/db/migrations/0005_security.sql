-- Identity and access: users, server-side sessions with rotating refresh tokens, API keys,
-- failed-login tracking, the IP block list, webhook receipts and shared rate-limit state.

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null unique check (username ~ '^[A-Za-z0-9_.-]{3,64}$'),
  password_hash text not null,
  role text not null check (role in ('admin', 'trader', 'viewer')),
  account_id text not null references accounts (id),
  disabled boolean not null default false,
  -- consecutive failed logins, and how often the account was locked (the lock grows with it)
  failed_logins int not null default 0,
  lock_count int not null default 0,
  locked_until timestamptz,
  password_changed_at timestamptz not null default now(),
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  client_ip text,
  user_agent text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

-- Only hashes are stored; a token used twice revokes its whole session.
create table refresh_tokens (
  token_hash text primary key,
  session_id uuid not null references sessions (id),
  parent_hash text,
  issued_at timestamptz not null default now(),
  used_at timestamptz,
  revoked_at timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  prefix text not null unique,
  key_hash text not null,
  name text not null,
  user_id uuid not null references users (id),
  scopes text[] not null,
  cidrs text[] not null default '{}',
  -- per-key webhook secret (HMAC); null: the key cannot sign webhooks
  webhook_secret text,
  created_by text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text
);

create table login_failures (
  id bigserial primary key,
  username text not null,
  client_ip text not null,
  at timestamptz not null default now()
);
create index login_failures_ip on login_failures (client_ip, at);

create table ip_blocks (
  ip text primary key,
  reason text not null,
  blocked_at timestamptz not null default now(),
  expires_at timestamptz not null,
  blocked_by text not null
);

-- Each signal id is taken once, in the same transaction as the trade it starts.
create table webhook_receipts (
  signal_id text primary key,
  key_id text,
  trade_id text,
  received_at timestamptz not null default now()
);

-- rate-limiter-flexible's Postgres store (key, points, expire in epoch ms).
create unlogged table rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
