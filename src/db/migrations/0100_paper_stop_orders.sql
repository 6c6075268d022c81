-- Stop orders on the paper exchange (stop-loss market, SL-M): they rest until the last price
-- touches their trigger, then fill like a market order.

alter table paper_orders drop constraint paper_orders_order_type_check;
alter table paper_orders add constraint paper_orders_order_type_check check (order_type in ('MARKET', 'LIMIT', 'STOP'));
alter table paper_orders add column trigger_price_paise bigint check (trigger_price_paise > 0);
alter table paper_orders add constraint paper_orders_stop_has_trigger check (order_type <> 'STOP' or trigger_price_paise is not null or status = 'REJECTED');
