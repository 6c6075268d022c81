-- The audit trail: append-only and hash-chained. Each row's hash is SHA-256 over the previous
-- hash and the row's canonical content (src/audit/chain.ts); `audit_head` holds the chain's end
-- and is locked by every append, so concurrent appends never fork the chain.

create table audit_events (
  seq bigint primary key,
  event_id uuid not null unique,
  occurred_at timestamptz not null,
  event_type text not null,
  severity text not null check (severity in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  category text not null,
  actor_type text not null check (actor_type in ('user', 'api_key', 'system', 'workflow')),
  actor_id text not null,
  account_id text,
  trade_id text,
  workflow_id text,
  run_id text,
  client_ip text,
  request_id text,
  payload jsonb not null,
  prev_hash text not null,
  hash text not null
);
create index audit_events_trade on audit_events (trade_id, seq) where trade_id is not null;
create index audit_events_type on audit_events (event_type, seq);
create index audit_events_actor on audit_events (actor_id, seq);
create index audit_events_time on audit_events (occurred_at);

create table audit_head (
  id int primary key check (id = 1),
  seq bigint not null,
  hash text not null
);
insert into audit_head (id, seq, hash) values (1, 0, repeat('0', 64));

-- Archived ranges (retention): the rows left the table, their chain continues from last_hash.
create table audit_archives (
  id bigserial primary key,
  first_seq bigint not null,
  last_seq bigint not null,
  first_prev_hash text not null,
  last_hash text not null,
  records int not null,
  file text not null,
  file_sha256 text not null,
  created_at timestamptz not null default now()
);

create function audit_refuse_change() returns trigger language plpgsql as $$
begin
  -- The one way out: audit_purge_archived() deletes rows already archived, nothing else.
  if tg_op = 'DELETE' then
    if current_setting('breeze.audit_purge', true) = 'on'
       and old.seq <= (select coalesce(max(last_seq), 0) from audit_archives) then
      return old;
    end if;
  end if;
  raise exception 'audit_events is append-only: % refused', tg_op using errcode = '42501';
end $$;

create trigger audit_events_no_update_delete before update or delete on audit_events
  for each row execute function audit_refuse_change();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_refuse_change();

create function audit_archives_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_archives is append-only: % refused', tg_op using errcode = '42501';
end $$;
create trigger audit_archives_no_change before update or delete on audit_archives
  for each row execute function audit_archives_refuse_change();
create trigger audit_archives_no_truncate before truncate on audit_archives
  for each statement execute function audit_archives_refuse_change();

-- Runs with the owner's rights: the application role itself has no DELETE on audit_events.
create function audit_purge_archived(up_to bigint) returns bigint
  language plpgsql security definer set search_path = public as $$
declare
  removed bigint;
begin
  perform set_config('breeze.audit_purge', 'on', true);
  delete from audit_events
   where seq <= least(up_to, (select coalesce(max(last_seq), 0) from audit_archives));
  get diagnostics removed = row_count;
  perform set_config('breeze.audit_purge', 'off', true);
  return removed;
end $$;
