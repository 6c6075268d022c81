-- The paper exchange announces every change of an order's state (status or filled quantity) on
-- channel `paper_order`, the order's id as payload, from the transaction that made the change, so
-- the notice goes out only if it commits. Breeze announces its orders' changes on its order stream
-- (docs/breeze-api.md#order-notifications); with this the paper exchange does too, and a watch on
-- a resting stop or target looks at its order when it changed instead of every five seconds
-- (src/activities/protection-watch.ts). A trigger, not the exchange's code, so that every path that
-- changes an order (fills, expiry, cancels, the operator's desk) announces it.
create function paper_order_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('paper_order', new.id);
  return null;
end
$$;

create trigger paper_order_changed after update on paper_orders
  for each row
  when (old.status is distinct from new.status or old.filled_quantity is distinct from new.filled_quantity)
  execute function paper_order_changed();
