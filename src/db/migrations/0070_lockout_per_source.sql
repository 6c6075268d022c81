-- Lockout per source (src/security/lockout.ts): failed logins lock the account for the address
-- they came from, and for every address only when they come from more than one, so one address
-- can never keep a user out. users.failed_logins is no longer used: failures are counted from
-- login_failures since users.failures_since (the last successful login or account-wide lock).

alter table users add column failures_since timestamptz not null default now();
comment on column users.failed_logins is 'unused since migration 0070 (failures are counted in login_failures)';

-- false: an attempt refused while locked, without checking the password (it still counts
-- against the address for the block list, not towards the next lock)
alter table login_failures add column password_checked boolean not null default true;
create index login_failures_user on login_failures (username, at);
