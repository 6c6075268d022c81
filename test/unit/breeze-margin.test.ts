import { describe, expect, it } from 'vitest';
import { marginBody, marginFrom } from '../../src/broker/breeze/margin.ts';

describe("Breeze's margin calculator on the wire (docs/breeze-api.md#funds-and-margin)", () => {
  it('sends a position with the fields and values of the SDK 1.0.69 README sample', () => {
    const body = marginBody([{ instrument: { symbol: 'NIFTY', product: 'FUTURES', expiry: '2025-02-27' }, side: 'BUY', quantity: 75, pricePaise: 23_400_00 }], 'NFO', ['NIFTY']);
    expect(body).toEqual({
      list_of_positions: [
        { strike_price: '0', quantity: '75', right: 'others', product: 'futures', action: 'buy', price: '23400', expiry_date: '27-Feb-2025', stock_code: 'NIFTY', cover_order_flow: 'N', fresh_order_type: 'N', cover_limit_rate: '0', cover_sltp_price: '0', fresh_limit_rate: '0', open_quantity: '0' },
      ],
      exchange_code: 'NFO',
    });
    const option = marginBody([{ instrument: { symbol: 'BANKNIFTY', product: 'OPTIONS', expiry: '2025-02-27', strikePaise: 50_000_00, right: 'CALL' }, side: 'SELL', quantity: 30, pricePaise: 1150_50 }], 'NFO', ['CNXBAN']);
    expect(option.list_of_positions).toEqual([expect.objectContaining({ strike_price: '50000', right: 'call', product: 'options', action: 'sell', price: '1150.50', stock_code: 'CNXBAN' })]);
  });

  it('reads the margin required as SPAN plus non-SPAN, in paise', () => {
    // the README's answer for its four positions
    const answer = { margin_calulation: [], non_span_margin_required: '0', order_value: '493011.26', order_margin: '0', trade_margin: null, block_trade_margin: '0', span_margin_required: '493011.26' };
    expect(marginFrom(answer)).toBe(49_301_126);
    expect(marginFrom({ ...answer, non_span_margin_required: '100.50' })).toBe(49_311_176);
    expect(() => marginFrom({})).toThrow(/span_margin_required/);
  });
});
