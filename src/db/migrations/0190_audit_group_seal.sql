-- Group commit of the audit chain. Until now every append took the chain's head in the writer's
-- own transaction and held it until that transaction committed, so concurrent writers committed
-- one after another (no shared WAL flush). Now:
--
-- * audit_append(tails) runs in the writer's transaction. If the head is free (a transaction-scoped
--   advisory try-lock), it seals inline: the committed records waiting in audit_inbox first, then
--   the writer's own, as before. If another transaction holds the head, the writer's records go
--   into audit_inbox and the writer commits without waiting; the inbox row commits or rolls back
--   with the state it describes.
-- * audit_seal(max) takes the head (waiting for it) and seals what the inbox holds, oldest first,
--   up to `max` records, in one transaction: one head update and one WAL flush for many writers'
--   records. The application calls it after a commit whose records were queued (one caller per
--   process for all of its writers), before reads, verification, backups and anchors.
--
-- One total order: only the holder of the advisory lock assigns sequence numbers, and the inbox is
-- sealed in the order its rows were queued. A transaction that committed before another began has
-- the smaller inbox id, and a sealer sees it whenever it sees the later one, so the chain never
-- puts an effect before its cause. The hash formula is unchanged (src/audit/chain.ts):
-- sha256(prev_hash || '\n[' || seq || ',' || tail), `tail` being the record's canonical content
-- after its sequence number, computed by the caller; every column of the record is read back from
-- that same text, so what is hashed is what is stored.

create table audit_inbox (
  id bigserial primary key,
  tail text not null,
  queued_at timestamptz not null default clock_timestamp()
);

-- The caller holds the head's advisory lock. Seals up to `max_records` queued records, then
-- `own` (a writer's records, sealed inline), in one insert, one delete and one head update. One row
-- per record sealed: its inbox id (null for `own`), sequence number and hashes.
create function audit_seal_locked(max_records int, own text[]) returns table (inbox_id bigint, seq bigint, prev_hash text, hash text)
  language plpgsql security definer set search_path = public as $$
#variable_conflict use_column
declare
  ids bigint[];
  tails text[];
  prevs text[] := '{}';
  hashes text[] := '{}';
  first_seq bigint;
  s bigint;
  prev text;
  n int;
begin
  select coalesce(array_agg(q.id order by q.id), '{}'), coalesce(array_agg(q.tail order by q.id), '{}') into ids, tails
    from (select i.id, i.tail from audit_inbox i order by i.id limit max_records) q;
  tails := tails || coalesce(own, '{}');
  n := cardinality(tails);
  if n = 0 then
    return;
  end if;
  select h.seq, h.hash into s, prev from audit_head h where h.id = 1 for update;
  first_seq := s + 1;
  for i in 1..n loop
    s := s + 1;
    prevs[i] := prev;
    prev := encode(sha256(convert_to(prev || E'\n[' || s::text || ',' || tails[i], 'UTF8')), 'hex');
    hashes[i] := prev;
  end loop;
  insert into audit_events (seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id,
    account_id, trade_id, workflow_id, run_id, client_ip, request_id, payload, prev_hash, hash)
  select first_seq + r.n - 1, (r.j->>0)::uuid, (r.j->>1)::timestamptz, r.j->>2, r.j->>3, r.j->>4, r.j->>5, r.j->>6,
    r.j->>7, r.j->>8, r.j->>9, r.j->>10, r.j->>11, r.j->>12, r.j->13, r.p, r.h
  from (select ('[' || u.t)::jsonb as j, u.p, u.h, u.n from unnest(tails, prevs, hashes) with ordinality as u(t, p, h, n)) r;
  if cardinality(ids) > 0 then
    delete from audit_inbox where id = any(ids);
  end if;
  update audit_head set seq = s, hash = prev where id = 1;
  return query
    select ids[u.n], first_seq + u.n - 1, u.p, u.h
    from unnest(prevs, hashes) with ordinality as u(p, h, n);
end $$;

-- In the writer's transaction: seal inline when the head is free, else queue (see above). One row
-- per record: sealed inline, its sequence number and hashes (inbox_id null); queued, its inbox id.
create function audit_append(tails text[]) returns table (inbox_id bigint, seq bigint, prev_hash text, hash text)
  language plpgsql security definer set search_path = public as $$
#variable_conflict use_column
begin
  if pg_try_advisory_xact_lock(7318402112) then
    -- the whole inbox goes first: its records committed before this transaction's
    return query select * from audit_seal_locked(2147483647, tails) l where l.inbox_id is null;
  else
    return query
      insert into audit_inbox (tail) select u.t from unnest(tails) with ordinality as u(t, n) order by u.n
      returning id, null::bigint, null::text, null::text;
  end if;
end $$;

-- Seal what is queued, up to `max_records`; returns the inbox ids sealed (fewer than
-- `max_records`: the inbox was empty at that moment), so that a process's waiting writers know
-- whose records went. Takes nothing when nothing is queued, so reads can call it first at the cost
-- of one index probe.
create function audit_seal(max_records int) returns bigint[]
  language plpgsql security definer set search_path = public as $$
declare
  sealed bigint[];
begin
  if not exists (select 1 from audit_inbox) then
    return '{}';
  end if;
  perform pg_advisory_xact_lock(7318402112);
  select coalesce(array_agg(l.inbox_id), '{}') into sealed from audit_seal_locked(max_records, null) l;
  return sealed;
end $$;

-- The old path locked the head row in the writer's transaction; nothing may assign sequence
-- numbers without the advisory lock now.
drop function audit_append_batch(jsonb);

revoke all on function audit_seal_locked(int, text[]) from public;
revoke all on function audit_append(text[]) from public;
revoke all on function audit_seal(int) from public;
