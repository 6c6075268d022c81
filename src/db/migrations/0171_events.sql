-- Live updates (GET /events, docs/live-events.md): one row per change a client may want pushed,
-- written by triggers in the same transaction as the change itself, so an event exists exactly
-- when its change committed. `id` is the Server-Sent Events id (a client resumes after it with
-- Last-Event-ID). Each insert notifies channel `events` with the row's id (a NOTIFY payload must
-- stay under 8000 bytes and reaches listeners only on commit); every API process listens once and
-- reads the rows. Money in `data` is in rupees, as the API shows it. `account_id` null: every
-- account's clients see it (monitoring alerts are system-wide).

create table events (
  id bigserial primary key,
  account_id text,
  type text not null check (type in ('trade', 'order', 'fill', 'pnl', 'trading-state', 'alert')),
  trade_id text,
  data jsonb not null,
  at timestamptz not null default now()
);
create index events_account on events (account_id, id);
create index events_at on events (at);

create function events_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('events', new.id::text);
  return null;
end $$;
create trigger events_notify after insert on events for each row execute function events_notify();

-- A restore loads every table row by row (src/backup/restore.ts) and the backup holds the events
-- already: it sets events.muted for its transaction, and no trigger below writes then.
create function events_muted() returns boolean language sql stable as $$ select coalesce(current_setting('events.muted', true), '') = 'on' $$;

create function rupees(paise bigint) returns numeric language sql immutable as $$ select round(paise / 100.0, 2) $$;

create function events_of_trade() returns trigger language plpgsql as $$
begin
  if events_muted() then return null; end if;
  if tg_op = 'INSERT' or new.status is distinct from old.status or new.filled_quantity is distinct from old.filled_quantity
     or new.exited_quantity is distinct from old.exited_quantity then
    insert into events (account_id, type, trade_id, data) values (new.account_id, 'trade', new.id, jsonb_build_object(
      'status', new.status, 'symbol', new.symbol, 'exchange', new.exchange, 'product', new.product, 'side', new.side,
      'quantity', new.quantity, 'filledQuantity', new.filled_quantity, 'exitedQuantity', new.exited_quantity,
      'strategy', new.strategy, 'entryPrice', rupees(new.entry_price_paise), 'exitPrice', rupees(new.exit_price_paise),
      'exitReason', new.exit_reason, 'rejectReason', new.reject_reason));
  end if;
  if tg_op = 'UPDATE' and (new.realized_pnl_paise is distinct from old.realized_pnl_paise or new.exited_value_paise is distinct from old.exited_value_paise
     or new.charges_paise is distinct from old.charges_paise) then
    insert into events (account_id, type, trade_id, data) values (new.account_id, 'pnl', new.id, jsonb_build_object(
      'status', new.status, 'symbol', new.symbol, 'realizedPnl', rupees(new.realized_pnl_paise), 'grossPnl', rupees(new.gross_pnl_paise),
      'charges', rupees(new.charges_paise), 'exitedQuantity', new.exited_quantity));
  end if;
  return null;
end $$;
create trigger trades_events after insert or update on trades for each row execute function events_of_trade();

create function events_of_order() returns trigger language plpgsql as $$
begin
  if events_muted() then return null; end if;
  if tg_op = 'INSERT' or new.status is distinct from old.status or new.filled_quantity is distinct from old.filled_quantity then
    insert into events (account_id, type, trade_id, data) values (new.account_id, 'order', new.trade_id, jsonb_build_object(
      'tag', new.tag, 'leg', new.leg, 'side', new.side, 'quantity', new.quantity, 'orderType', new.order_type,
      'limitPrice', rupees(new.limit_price_paise), 'status', new.status, 'filledQuantity', new.filled_quantity,
      'averagePrice', rupees(new.average_price_paise), 'brokerOrderId', new.broker_order_id, 'rejectReason', new.reject_reason));
  end if;
  return null;
end $$;
create trigger orders_events after insert or update on orders for each row execute function events_of_order();

create function events_of_fill() returns trigger language plpgsql as $$
declare o record;
begin
  if events_muted() then return null; end if;
  select leg, side into o from orders where tag = new.order_tag;
  insert into events (account_id, type, trade_id, data) values (new.account_id, 'fill', new.trade_id, jsonb_build_object(
    'orderTag', new.order_tag, 'leg', o.leg, 'side', o.side, 'qty', new.quantity, 'quantity', new.quantity,
    'price', rupees(new.price_paise), 'charges', rupees(new.charges_paise), 'filledAt', new.filled_at));
  return null;
end $$;
create trigger fills_events after insert on fills for each row execute function events_of_fill();

create function events_of_account_state() returns trigger language plpgsql as $$
begin
  if events_muted() then return null; end if;
  if new.trading_state is distinct from old.trading_state then
    insert into events (account_id, type, data) values (new.id, 'trading-state', jsonb_build_object(
      'scope', 'account', 'state', new.trading_state, 'from', old.trading_state, 'reason', new.state_reason));
  end if;
  return null;
end $$;
create trigger accounts_events after update on accounts for each row execute function events_of_account_state();

create function events_of_strategy_state() returns trigger language plpgsql as $$
begin
  if events_muted() then return null; end if;
  if new.state is distinct from old.state then
    insert into events (account_id, type, data) values (new.account_id, 'trading-state', jsonb_build_object(
      'scope', 'strategy', 'strategyId', new.id, 'strategy', new.name, 'state', new.state, 'from', old.state, 'reason', new.state_reason));
  end if;
  return null;
end $$;
create trigger strategies_events after update on strategies for each row execute function events_of_strategy_state();

create function events_of_alert() returns trigger language plpgsql as $$
begin
  if events_muted() then return null; end if;
  insert into events (account_id, type, data) values (nullif(coalesce(new.labels->>'account', new.labels->>'accountId'), ''), 'alert', jsonb_build_object(
    'alertId', new.id, 'alertKey', new.alert_key, 'ruleId', new.rule_id, 'status', new.status, 'severity', new.severity,
    'summary', new.summary, 'value', new.value));
  return null;
end $$;
create trigger alert_events_events after insert on alert_events for each row execute function events_of_alert();
