import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerRejectedError, BrokerUnavailableError } from '../../src/broker/errors.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import { type BreezeHarness, newTag, RELIANCE, startBreezeHarness } from '../support/breeze.ts';

let h: BreezeHarness;
beforeAll(async () => {
  h = await startBreezeHarness();
});
afterAll(async () => h?.stop());

const relind = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' } as const;
const INFY: Instrument = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' };
const NIFTY_FUT: Instrument = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' };

describe('Breeze client against the emulator', () => {
  it('places a limit order whose tag travels in user_remark and finds it again by tag', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000 });
    const tag = newTag();
    const placed = await h.client.placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 5, orderType: 'LIMIT', limitPricePaise: 240000 });
    expect(placed).toMatchObject({ tag, status: 'OPEN', filledQuantity: 0 });
    const sent = h.emulator.sent('POST', 'order').filter((r) => (r.body as { user_remark?: string }).user_remark === tag);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ stock_code: 'RELIND', exchange_code: 'NSE', product: 'cash', action: 'buy', order_type: 'limit', price: '2400.00', quantity: '5' });

    const found = await h.client.findOrderByTag('main', tag, RELIANCE);
    expect(found).toMatchObject({ brokerOrderId: placed.brokerOrderId, tag, status: 'OPEN', side: 'BUY', quantity: 5, instrument: RELIANCE });
    expect(await h.client.findOrderByTag('main', newTag(), RELIANCE)).toBeUndefined();
  });

  it('does not start sending an order past its send-by time, so a retry can never meet it on the wire', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000 });
    const tag = newTag();
    const late = h.client.placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 }, { sendBy: Date.now() - 1 });
    await expect(late).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(h.emulator.sent('POST', 'order').filter((r) => (r.body as { user_remark?: string }).user_remark === tag)).toHaveLength(0);
    const inTime = await h.client.placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 }, { sendBy: Date.now() + 60_000 });
    expect(inTime).toMatchObject({ tag, status: 'OPEN' });
  });

  it('fills a resting order when the quote crosses it, with the execution as a fill in paise', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000 });
    const order = await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'BUY', quantity: 2, orderType: 'LIMIT', limitPricePaise: 244000 });
    h.emulator.setQuote(relind, { ltpPaise: 243950 });
    const filled = await h.client.getOrder('main', order.brokerOrderId, RELIANCE);
    expect(filled).toMatchObject({ status: 'FILLED', filledQuantity: 2, averagePricePaise: 243950 });
    expect(filled.fills).toEqual([expect.objectContaining({ quantity: 2, pricePaise: 243950 })]);
  });

  it('sends a MARKET order as a protective limit off the quote, as the official SDK does', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000, upperCircuitPaise: 269500, lowerCircuitPaise: 220500 });
    const tag = newTag();
    const order = await h.client.placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'MARKET' });
    const body = h.emulator.sent('POST', 'order').find((r) => (r.body as { user_remark?: string }).user_remark === tag)!.body;
    expect(body).toMatchObject({ order_type: 'limit', price: '2523.50' });
    expect(await h.client.getOrder('main', order.brokerOrderId, RELIANCE)).toMatchObject({ status: 'FILLED', averagePricePaise: 245000 });
  });

  it('cancels a resting order and reports a filled one as filled when the cancel loses the race', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000 });
    const resting = await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'SELL', quantity: 1, orderType: 'LIMIT', limitPricePaise: 260000 });
    expect(await h.client.cancelOrder('main', resting.brokerOrderId, RELIANCE)).toMatchObject({ status: 'CANCELLED', filledQuantity: 0 });
    const filled = await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'SELL', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 });
    expect(await h.client.cancelOrder('main', filled.brokerOrderId, RELIANCE)).toMatchObject({ status: 'FILLED', filledQuantity: 1 });
  });

  it('places a STOP_LIMIT as a Breeze stoploss order and chases it with PUT order once the price gaps through', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000 });
    const tag = newTag();
    const stop = await h.client.placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'SELL', quantity: 1, orderType: 'STOP_LIMIT', triggerPricePaise: 244000, limitPricePaise: 243000 });
    const body = h.emulator.sent('POST', 'order').find((r) => (r.body as { user_remark?: string }).user_remark === tag)!.body;
    expect(body).toMatchObject({ order_type: 'stoploss', stoploss: '2440.00', price: '2430.00' });
    expect(stop.status).toBe('OPEN');
    h.emulator.setQuote(relind, { ltpPaise: 242000 }); // touched the trigger, below the limit
    expect((await h.client.getOrder('main', stop.brokerOrderId, RELIANCE)).status).toBe('OPEN');
    const chased = await h.client.modifyOrder('main', stop.brokerOrderId, RELIANCE, { orderType: 'LIMIT', limitPricePaise: 241000 });
    expect(h.emulator.sent('PUT', 'order').at(-1)!.body).toMatchObject({ order_id: stop.brokerOrderId, order_type: 'limit', stoploss: '0', price: '2410.00' });
    expect(chased).toMatchObject({ status: 'FILLED', averagePricePaise: 242000 });
    // modifying an order the fill got to first answers its fill
    expect(await h.client.modifyOrder('main', stop.brokerOrderId, RELIANCE, { orderType: 'LIMIT', limitPricePaise: 240000 })).toMatchObject({ status: 'FILLED' });
  });

  it('reads a quote in paise with the day band', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245010, upperCircuitPaise: 269500, lowerCircuitPaise: 220500 });
    expect(await h.client.quote(RELIANCE)).toMatchObject({ lastPricePaise: 245010, upperCircuitPaise: 269500, lowerCircuitPaise: 220500 });
  });

  it('trades futures and reports signed positions and funds in our terms', async () => {
    h.emulator.setQuote({ exchange: 'NFO', stockCode: 'NIFTY', product: 'futures', expiry: '2026-12-29' }, { ltpPaise: 2_450_000 });
    await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: NIFTY_FUT, side: 'SELL', quantity: 65, orderType: 'MARKET' });
    h.emulator.setQuote({ exchange: 'NSE', stockCode: 'INFTEC', product: 'cash' }, { ltpPaise: 150000 });
    await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: INFY, side: 'BUY', quantity: 4, orderType: 'LIMIT', limitPricePaise: 151000 });

    const positions = await h.client.positions('main');
    expect(positions).toContainEqual({ instrument: NIFTY_FUT, quantity: -65, averagePricePaise: 2_450_000 });
    expect(positions).toContainEqual({ instrument: INFY, quantity: 4, averagePricePaise: 150000 });

    const funds = await h.client.funds();
    expect(funds).toMatchObject({ totalBankBalancePaise: 100_000_000, unallocatedPaise: 25_000_000 });
    // the emulator's funds move with fills: charges paid out of the equity allocation, the short future's margin blocked
    expect(funds.allocatedEquityPaise).toBeLessThan(50_000_000);
    expect(funds.blockedFnoPaise).toBeGreaterThanOrEqual(19_110_000);
  });

  it('lists the orders of every exchange in our domain types', async () => {
    const orders = await h.client.listOrders('main');
    expect(orders.some((o) => o.instrument.exchange === 'NFO' && o.instrument.symbol === 'NIFTY' && o.side === 'SELL')).toBe(true);
    expect(orders.every((o) => ['OPEN', 'FILLED', 'CANCELLED', 'REJECTED'].includes(o.status))).toBe(true);
  });

  it('tells how much of the shared call budget is left', async () => {
    const budget = await h.client.remainingBudget();
    expect(budget!.dayLeft).toBeLessThan(5000);
    expect(budget!.minuteLeft).toBeLessThan(100);
  });

  it('reports an order priced outside the day band as rejected by the exchange', async () => {
    h.emulator.setQuote(relind, { ltpPaise: 245000, upperCircuitPaise: 269500, lowerCircuitPaise: 220500 });
    const order = await h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 300000 });
    expect(await h.client.getOrder('main', order.brokerOrderId, RELIANCE)).toMatchObject({ status: 'REJECTED' });
  });

  it('refuses margin products and unknown symbols without calling Breeze', async () => {
    const before = h.emulator.sent('POST', 'order').length;
    await expect(h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: { ...RELIANCE, product: 'MARGIN' }, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 1000 })).rejects.toBeInstanceOf(BrokerRejectedError);
    await expect(h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: { ...RELIANCE, symbol: 'NOSUCH' }, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 1000 })).rejects.toBeInstanceOf(BrokerRejectedError);
    expect(h.emulator.sent('POST', 'order')).toHaveLength(before);
  });
});
