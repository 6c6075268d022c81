-- Appending a transaction's audit records in one statement, just before it commits: the chain's
-- head is locked only for that moment (not from the first state change of the transaction), and
-- the chain's order is the order in which transactions commit. The hash formula is the one of
-- src/audit/chain.ts: sha256(prev_hash || '\n[' || seq || ',' || tail), where the caller computed
-- `tail`, the record's canonical content after its sequence number.
create function audit_append_batch(events jsonb) returns table (seq bigint, prev_hash text, hash text)
  language plpgsql as $$
declare
  e jsonb;
  s bigint;
  prev text;
  next text;
begin
  select h.seq, h.hash into s, prev from audit_head h where h.id = 1 for update;
  for e in select value from jsonb_array_elements(events) loop
    s := s + 1;
    next := encode(sha256(convert_to(prev || E'\n[' || s::text || ',' || (e->>'tail'), 'UTF8')), 'hex');
    insert into audit_events (seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id,
      account_id, trade_id, workflow_id, run_id, client_ip, request_id, payload, prev_hash, hash)
    values (s, (e->>'eventId')::uuid, (e->>'occurredAt')::timestamptz, e->>'type', e->>'severity', e->>'category',
      e->>'actorType', e->>'actorId', e->>'accountId', e->>'tradeId', e->>'workflowId', e->>'runId', e->>'clientIp',
      e->>'requestId', e->'payload', prev, next);
    audit_append_batch.seq := s;
    audit_append_batch.prev_hash := prev;
    audit_append_batch.hash := next;
    return next;
    prev := next;
  end loop;
  update audit_head set seq = s, hash = prev where id = 1;
end $$;
