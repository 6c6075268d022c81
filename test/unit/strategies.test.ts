import { describe, expect, it } from 'vitest';
import { orderFromRow, placeOrderBody } from '../../src/broker/breeze/mapping.ts';
import { orderRow } from '../../src/broker/breeze/rows.ts';
import { createSecurityMaster, DEFAULT_STOCK_CODES } from '../../src/broker/breeze/security-master.ts';
import { RISK_LIMIT_KEYS } from '../../src/domain/risk/limits.ts';
import { RULES, type Violation } from '../../src/domain/risk/rules.ts';
import { orderRemark, RULE_OF_LIMIT, strategyViolations, tagOfRemark } from '../../src/domain/strategy.ts';

const master = createSecurityMaster(Object.entries(DEFAULT_STOCK_CODES));
const v = (rule: string, message = 'over'): Violation => ({ rule, limit: 1, actual: 2, message });

describe("an order's remark at Breeze", () => {
  it('carries the tag first, then the strategy and its algo id', () => {
    const body = placeOrderBody(
      { accountId: 'main', tag: 'tabcdefghijklmnoE1', instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, side: 'BUY', quantity: 1, orderType: 'LIMIT', strategy: 'momentum', algoId: 'NSE-ALGO-42' },
      'RELIND',
      245_000,
    );
    expect(body.user_remark).toBe('tabcdefghijklmnoE1:momentum:NSE-ALGO-42');
  });

  it('gives back the tag, whether the remark has the strategy, only the tag, or nothing', () => {
    expect(tagOfRemark(orderRemark('tabcE1', 'momentum', 'GENERIC'))).toBe('tabcE1');
    expect(tagOfRemark('tabcE1')).toBe('tabcE1');
    expect(tagOfRemark(null)).toBe('');
  });

  it("is read back as the order's tag from the order book", () => {
    const row = orderRow.parse({ order_id: '1', exchange_code: 'NSE', stock_code: 'RELIND', product_type: 'Cash', action: 'Buy', quantity: '1', status: 'Ordered', user_remark: 'tabcE1:momentum:NSE-ALGO-42' });
    expect(orderFromRow(row, master).tag).toBe('tabcE1');
  });
});

describe("a strategy's own limits", () => {
  it('name every limit by a rule of the rule book', () => {
    for (const key of RISK_LIMIT_KEYS) expect(RULES).toContain(RULE_OF_LIMIT[key]);
  });

  it("keep only the violations of the limits the strategy sets, and not those the account's check reported", () => {
    const strategy = { name: 'small', limits: { maxTradeValuePaise: 500_000, maxOpenPositions: 1 } };
    const found = [v('MARKET_CLOSED'), v('MAX_TRADE_VALUE'), v('MAX_OPEN_POSITIONS'), v('MAX_POSITION_QUANTITY')];
    const kept = strategyViolations(strategy, found, [v('MAX_OPEN_POSITIONS')]);
    expect(kept.map((k) => k.rule)).toEqual(['MAX_TRADE_VALUE']);
    expect(kept[0]!.message).toBe('Strategy small: over');
  });
});
