/**
 * Charges on a fill: brokerage, STT, exchange transaction charges, SEBI turnover fee, stamp duty
 * and GST, from a schedule the operator can replace (CHARGES_SCHEDULE). P&L is reported gross
 * (price moves only) and net (after charges).
 *
 * The default rates are the NSE rates as commonly published in broker rate cards for 2025–26
 * (STT after the 1 Oct 2024 revision for F&O; stamp duty under the Indian Stamp Act as amended
 * 2020); they change by circular, so deployments should set their broker's current card.
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Product, Side } from './trade.ts';

export type Segment = 'EQUITY_DELIVERY' | 'EQUITY_INTRADAY' | 'FUTURES' | 'OPTIONS';

export interface SegmentRates {
  /** STT on the buy side, as a fraction of turnover. */
  sttBuy: number;
  /** STT on the sell side. */
  sttSell: number;
  /** Exchange transaction charges. */
  exchange: number;
  /** Stamp duty, buy side only. */
  stampBuy: number;
}

export interface ChargeSchedule {
  /** Flat brokerage per executed order. */
  brokeragePerOrderPaise: Paise;
  /** Brokerage never above this share of the order's turnover. */
  brokerageMaxFraction: number;
  /** SEBI turnover fee (₹10 a crore = 0.000001). */
  sebiFee: number;
  /** GST on brokerage, exchange charges and the SEBI fee. */
  gst: number;
  segments: Record<Segment, SegmentRates>;
}

export const DEFAULT_CHARGES: ChargeSchedule = {
  brokeragePerOrderPaise: 20_00,
  brokerageMaxFraction: 0.0025,
  sebiFee: 0.000001,
  gst: 0.18,
  segments: {
    EQUITY_DELIVERY: { sttBuy: 0.001, sttSell: 0.001, exchange: 0.0000297, stampBuy: 0.00015 },
    EQUITY_INTRADAY: { sttBuy: 0, sttSell: 0.00025, exchange: 0.0000297, stampBuy: 0.00003 },
    FUTURES: { sttBuy: 0, sttSell: 0.0002, exchange: 0.0000173, stampBuy: 0.00002 },
    OPTIONS: { sttBuy: 0, sttSell: 0.001, exchange: 0.0003503, stampBuy: 0.00003 },
  },
};

export function segmentOf(product: Product, intraday: boolean): Segment {
  if (product === 'FUTURES') return 'FUTURES';
  if (product === 'OPTIONS') return 'OPTIONS';
  return product === 'MARGIN' || intraday ? 'EQUITY_INTRADAY' : 'EQUITY_DELIVERY';
}

export interface ChargeBreakdown {
  brokerage: Paise;
  stt: Paise;
  exchange: Paise;
  sebi: Paise;
  stamp: Paise;
  gst: Paise;
  total: Paise;
}

/**
 * Charges of one fill. `firstFillOfOrder` carries the order's flat brokerage (charged once per
 * executed order, capped by the turnover share).
 */
export function chargesForFill(schedule: ChargeSchedule, segment: Segment, side: Side, turnoverPaise: Paise, firstFillOfOrder: boolean): ChargeBreakdown {
  const r = schedule.segments[segment];
  const round = (x: number) => Math.round(x);
  const brokerage = firstFillOfOrder ? Math.min(schedule.brokeragePerOrderPaise, round(turnoverPaise * schedule.brokerageMaxFraction)) : 0;
  const stt = round(turnoverPaise * (side === 'BUY' ? r.sttBuy : r.sttSell));
  const exchange = round(turnoverPaise * r.exchange);
  const sebi = round(turnoverPaise * schedule.sebiFee);
  const stamp = side === 'BUY' ? round(turnoverPaise * r.stampBuy) : 0;
  const gst = round((brokerage + exchange + sebi) * schedule.gst);
  return { brokerage, stt, exchange, sebi, stamp, gst, total: brokerage + stt + exchange + sebi + stamp + gst };
}
