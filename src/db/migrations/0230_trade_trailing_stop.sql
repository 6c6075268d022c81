-- The trailing distance in force, kept on the trade row (null: the trade does not trail). Showing a
-- trade read it from the audit trail (the request's, or the newest protection change naming one),
-- which had to seal the chain's queued records first: two more statements on every entry's answer
-- and every GET /trades/{id}. Written with the trade (src/db/trades.ts insertTrade) and with every
-- protection change that names one (src/activities/trade-records.ts recordProtectionChange).

alter table trades add column trailing_stop jsonb;

-- Existing trades, from the audit trail as it was read until now: sealed first, so that no
-- queued record is missed.
select audit_seal(2147483647);

update trades t set trailing_stop = newest.stop
from (
  select distinct on (trade_id) trade_id,
    case when event_type = 'TRADE_REQUESTED' then payload->'trailingStop' else payload->'after'->'trailingStop' end as stop
  from audit_events
  where trade_id is not null
    and (event_type = 'TRADE_REQUESTED' or (event_type = 'TRADE_PROTECTION_CHANGED' and payload->'after' ? 'trailingStop'))
  order by trade_id, seq desc
) newest
where newest.trade_id = t.id and newest.stop is not null and newest.stop <> 'null'::jsonb;
