-- Archiving is the only way records leave audit_events, and the database checks it itself: the
-- application role can no longer write audit_archives rows of its own choosing (a forged row let
-- audit_purge_archived() delete any prefix of the chain, young records included), and records
-- leave only when they are older than the retention the schema owner configured.
--
-- audit_archive_range() takes the range's description from the application (what it wrote to the
-- archive file), checks it against the table (contiguous, continuing the previous archive's
-- chain, every record older than audit_policy.min_retention_days), registers the archive from the
-- table's own rows and removes them, in one statement under a lock.

create table audit_policy (
  id int primary key check (id = 1),
  -- Records younger than this stay in the table whatever the application asks (SEBI: 5 years).
  min_retention_days int not null check (min_retention_days >= 1)
);
insert into audit_policy (id, min_retention_days) values (1, 1827);

drop function audit_purge_archived(bigint);

create function audit_archive_range(p_first_seq bigint, p_last_seq bigint, p_last_hash text, p_records bigint, p_file text, p_file_sha256 text)
returns bigint
language plpgsql security definer set search_path = public as $$
declare
  v_prev_seq bigint;
  v_prev_hash text;
  v_count bigint;
  v_first_prev text;
  v_last_hash text;
  v_youngest timestamptz;
  v_min_days int;
  v_removed bigint;
begin
  -- one archiver at a time; appends (which only add at the head) are not blocked
  lock table audit_archives in share row exclusive mode;
  select last_seq, last_hash into v_prev_seq, v_prev_hash from audit_archives order by last_seq desc limit 1;
  v_prev_seq := coalesce(v_prev_seq, 0);
  v_prev_hash := coalesce(v_prev_hash, repeat('0', 64));
  if p_first_seq <> v_prev_seq + 1 then
    raise exception 'audit archive must start at %, not %', v_prev_seq + 1, p_first_seq using errcode = '22023';
  end if;
  if p_last_seq < p_first_seq or p_records <> p_last_seq - p_first_seq + 1 then
    raise exception 'audit archive range %..% does not hold % records', p_first_seq, p_last_seq, p_records using errcode = '22023';
  end if;

  select count(*), max(occurred_at) into v_count, v_youngest from audit_events where seq between p_first_seq and p_last_seq;
  select prev_hash into v_first_prev from audit_events where seq = p_first_seq;
  select hash into v_last_hash from audit_events where seq = p_last_seq;
  if v_count <> p_records or v_first_prev is distinct from v_prev_hash or v_last_hash is distinct from p_last_hash then
    raise exception 'audit archive %..% does not match the chain in the table', p_first_seq, p_last_seq using errcode = '22023';
  end if;

  select min_retention_days into v_min_days from audit_policy where id = 1;
  if v_youngest >= now() - v_min_days * interval '1 day' then
    raise exception 'audit records up to % are younger than the % days they must stay', p_last_seq, v_min_days using errcode = '42501';
  end if;

  insert into audit_archives (first_seq, last_seq, first_prev_hash, last_hash, records, file, file_sha256)
    values (p_first_seq, p_last_seq, v_first_prev, v_last_hash, p_records, p_file, p_file_sha256);
  perform set_config('breeze.audit_purge', 'on', true);
  delete from audit_events where seq between p_first_seq and p_last_seq;
  get diagnostics v_removed = row_count;
  perform set_config('breeze.audit_purge', 'off', true);
  return v_removed;
end $$;

revoke all on function audit_archive_range(bigint, bigint, text, bigint, text, text) from public;
