import { describe, expect, it } from 'vitest';
import { type EmuOrder, OrderBook } from '../../tools/breeze-emulator/book.ts';
import { EmuFunds, marginCalculator } from '../../tools/breeze-emulator/funds.ts';

const user = 'EMU00001';
const reliance = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' as const };
let n = 0;
const order = (action: 'buy' | 'sell', quantity: number, pricePaise: number): EmuOrder => ({
  orderId: String(++n), userId: user, instrument: reliance, action, orderType: 'limit', quantity, pricePaise, validity: 'day', status: 'Ordered', userRemark: `t${n}`, createdAt: new Date(), modifications: 0, cancelledQuantity: 0, fills: [],
});
const fundsOf = (funds: EmuFunds, book: OrderBook) => (JSON.parse(funds.answer(book, user).body) as { Success: Record<string, number> }).Success;

describe("the emulator's funds and margin calculator", () => {
  it('blocks margin for open orders and positions, and moves the allocation by realized P&L and charges', () => {
    const book = new OrderBook(() => new Date());
    const funds = new EmuFunds();
    funds.set(user, { equityPaise: 1_000_000_00 });
    book.setQuote(reliance, { ltpPaise: 2400_00 });
    book.add(order('buy', 10, 2300_00)); // rests: its value is blocked
    expect(fundsOf(funds, book)).toMatchObject({ allocated_equity: 1_000_000, block_by_trade_equity: 23_000 });
    book.add(order('buy', 10, 2400_00)); // fills at 2400
    const held = fundsOf(funds, book);
    expect(held.block_by_trade_equity).toBe(23_000 + 24_000);
    expect(held.allocated_equity).toBeLessThan(1_000_000); // charges paid
    book.setQuote(reliance, { ltpPaise: 2500_00 });
    // the resting buy at 2300 is not touched; a sell at 2500 closes the position at a 1000 profit
    book.add(order('sell', 10, 2500_00));
    const after = fundsOf(funds, book);
    expect(after.block_by_trade_equity).toBe(23_000);
    expect(after.allocated_equity).toBeGreaterThan(1_000_000 + 800);
    expect(after.allocated_equity).toBeLessThan(1_000_000 + 1000);
  });

  it('answers the margin of a futures position as the model does, and a credit spread at its largest loss', () => {
    const pos = (extra: Record<string, string>) => ({ strike_price: '0', quantity: '75', right: 'others', product: 'futures', action: 'buy', price: '23400', expiry_date: '29-Dec-2026', stock_code: 'NIFTY', cover_order_flow: 'N', fresh_order_type: 'N', cover_limit_rate: '0', cover_sltp_price: '0', fresh_limit_rate: '0', open_quantity: '0', ...extra });
    const fut = JSON.parse(marginCalculator({ list_of_positions: [pos({})], exchange_code: 'NFO' }).body) as { Success: Record<string, unknown> };
    expect(fut.Success).toMatchObject({ span_margin_required: '210600.00', non_span_margin_required: '0', order_value: '1755000.00' });
    const spread = [pos({ product: 'options', right: 'call', strike_price: '23400', action: 'sell', price: '577' }), pos({ product: 'options', right: 'call', strike_price: '23500', price: '520' })];
    const netted = JSON.parse(marginCalculator({ list_of_positions: spread, exchange_code: 'NFO' }).body) as { Success: Record<string, unknown> };
    // 100 points of width less 57 of credit, on 75 units
    expect(netted.Success.span_margin_required).toBe('3225.00');
  });

  it('answers a malformed request as Breeze did', () => {
    expect(JSON.parse(marginCalculator({ list_of_positions: [], exchange_code: 'NFO' }).body)).toEqual({ Status: 5, Error: 'Index was outside the bounds of the array.' });
  });
});
