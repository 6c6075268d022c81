-- Differences the reconciliation found between the broker's book and ours. A row never changes a
-- fill or a position: it records what each side said, and while it is unresolved it locks new
-- entries in its instrument (risk rule RECONCILIATION_LOCK). An operator resolves it with a note.
--
-- kind POSITION: net quantities differ (ref is empty); kind UNKNOWN_ORDER: the broker holds an
-- open order that is none of our legs (ref is the broker's order id). ours and theirs are signed
-- quantities (positive long, negative short; for an order, its unfilled remainder).
--
-- A resolved row accepts its difference (theirs - ours) for as long as the broker keeps showing
-- it: the same difference seen again is not a new mismatch. Once a round finds the books in
-- agreement (cleared_at), the acceptance ends.

create table reconciliation_mismatches (
  id bigserial primary key,
  account_id text not null references accounts (id),
  instrument_key text not null,
  instrument jsonb not null,
  kind text not null check (kind in ('POSITION', 'UNKNOWN_ORDER')),
  ref text not null default '',
  ours bigint not null,
  theirs bigint not null,
  details jsonb not null default '{}',
  detected_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- the first round that no longer saw the difference (null again if it comes back)
  cleared_at timestamptz,
  resolved_at timestamptz,
  resolved_by text,
  resolution_note text,
  check ((resolved_at is null) = (resolved_by is null))
);

-- One unresolved row per difference: a run finding it again updates that row.
create unique index reconciliation_mismatches_open
  on reconciliation_mismatches (account_id, kind, instrument_key, ref) where resolved_at is null;
create index reconciliation_mismatches_account on reconciliation_mismatches (account_id, detected_at desc);
