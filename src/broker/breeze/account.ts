/**
 * Account reads of Breeze in our terms: the trade book, holdings and funds
 * (docs/breeze-api.md#account-reads), in paise and domain instruments, ready for reconciliation and
 * charges.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { Exchange, Instrument, Side } from '../../domain/trade.ts';
import { BrokerUnavailableError } from '../errors.ts';
import { instrumentFromRow } from './mapping.ts';
import { fundsRow, holdingRow, rowsOf, tradeListRow } from './rows.ts';
import type { SecurityMaster } from './security-master.ts';
import { fromBreezeDay, sideFromBreeze, toCount, toPaise } from './values.ts';

export interface TradeQuery {
  exchange: Exchange;
  /** IST days, YYYY-MM-DD; default today. */
  fromDay?: string;
  toDay?: string;
}

export interface BreezeTrade {
  orderId: string;
  tradeDay: string | undefined;
  instrument: Instrument;
  side: Side | undefined;
  quantity: number;
  averagePricePaise: Paise;
  brokeragePaise: Paise;
  taxesPaise: Paise;
}

export interface BreezeHolding {
  instrument: Instrument;
  quantity: number;
  averagePricePaise: Paise;
  marketPricePaise: Paise | undefined;
}

export interface BreezeFunds {
  totalBankBalancePaise: Paise;
  allocatedEquityPaise: Paise;
  allocatedFnoPaise: Paise;
  blockedEquityPaise: Paise;
  blockedFnoPaise: Paise;
  unallocatedPaise: Paise;
}

export function tradesFrom(payload: unknown, master: SecurityMaster): BreezeTrade[] {
  return rowsOf(tradeListRow, payload).map((r) => ({
    orderId: String(r.order_id ?? ''),
    tradeDay: fromBreezeDay(r.trade_date),
    instrument: instrumentFromRow(r, master),
    side: sideFromBreeze(r.action),
    quantity: toCount(r.quantity),
    averagePricePaise: toPaise(r.average_cost) ?? 0,
    brokeragePaise: toPaise(r.brokerage_amount) ?? 0,
    taxesPaise: toPaise(r.total_taxes) ?? 0,
  }));
}

export function holdingsFrom(payload: unknown, master: SecurityMaster): BreezeHolding[] {
  return rowsOf(holdingRow, payload).map((r) => ({
    instrument: instrumentFromRow(r, master),
    quantity: toCount(r.quantity),
    averagePricePaise: toPaise(r.average_price) ?? 0,
    marketPricePaise: toPaise(r.current_market_price),
  }));
}

export function fundsFrom(payload: unknown): BreezeFunds {
  const parsed = fundsRow.safeParse(Array.isArray(payload) ? payload[0] : payload);
  if (!parsed.success) throw new BrokerUnavailableError('GET funds: unexpected answer');
  const f = parsed.data;
  return {
    totalBankBalancePaise: toPaise(f.total_bank_balance) ?? 0,
    allocatedEquityPaise: toPaise(f.allocated_equity) ?? 0,
    allocatedFnoPaise: toPaise(f.allocated_fno) ?? 0,
    blockedEquityPaise: toPaise(f.block_by_trade_equity) ?? 0,
    blockedFnoPaise: toPaise(f.block_by_trade_fno) ?? 0,
    unallocatedPaise: toPaise(f.unallocated_balance) ?? 0,
  };
}
