-- Stop-limit orders on the paper exchange, as Breeze's `stoploss` orders are: they rest until the
-- last price touches their trigger (remembered in triggered_at), then work as a limit order at
-- their limit price, so a price that gaps through the limit leaves them open.

alter table paper_orders drop constraint paper_orders_order_type_check;
alter table paper_orders add constraint paper_orders_order_type_check check (order_type in ('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'));
alter table paper_orders drop constraint paper_orders_stop_has_trigger;
alter table paper_orders add constraint paper_orders_stop_has_trigger check (order_type not in ('STOP', 'STOP_LIMIT') or trigger_price_paise is not null or status = 'REJECTED');
alter table paper_orders add column triggered_at timestamptz;
