/**
 * Breeze's GTT OCO orders (`gttorder`, docs/breeze-api.md#gtt-orders): a position's stop-loss and
 * target held at ICICI as one three-leg order of `gtt_type: "oco"`, each leg a trigger and a limit
 * (`gtt_leg_type` `stoploss` / `target`). When the last price touches a leg's trigger, ICICI places
 * that leg's limit order and cancels the other, whether or not a worker runs. GTT is for F&O only
 * (every ICICI sample is NFO; the SDK requires an expiry).
 *
 * An OCO carries no `user_remark`, so a placement whose answer was lost is found again by what it
 * is (instrument, side, quantity, leg prices, placed today). A triggered leg's order is named by
 * the leg's `order_id` where the book row gives it, else found in the order book as the untagged
 * limit order on the same contract, side and quantity at the leg's limit placed since the GTT.
 *
 * @module
 */
import { z } from 'zod';
import type { Instrument } from '../../domain/trade.ts';
import { BrokerOutcomeUnknownError, BrokerRejectedError } from '../errors.ts';
import type { BrokerOco, OcoBroker, OcoLeg, OcoRequest, OcoStatus } from '../types.ts';
import { instrumentFields } from './mapping.ts';
import type { OrderRow } from './rows.ts';
import { rowsOf } from './rows.ts';
import type { SecurityMaster } from './security-master.ts';
import { sessionDay } from './session.ts';
import type { BreezeCall } from './transport.ts';
import { fromBreezeDateTime, fromBreezeDay, sideToBreeze, toBreezeDate, toPaise, toRupeeString } from './values.ts';

const loose = z.union([z.string(), z.number()]).nullish();
const text = z.string().nullish();

const gttLegRow = z.looseObject({ gtt_leg_type: text, action: text, trigger_price: loose, limit_price: loose, status: text, gtt_order_id: loose, order_id: loose });
const gttRow = z.looseObject({ order_details: z.array(gttLegRow).nullish(), exchange_code: text, stock_code: text, product_type: text, expiry_date: text, strike_price: loose, right: text, quantity: loose, gtt_type: text, order_datetime: text });
type GttRow = z.infer<typeof gttRow>;
const gttAck = z.looseObject({ gtt_order_id: loose, message: text });

/** ICICI codes of index underlyings (docs/breeze-api.md#identifiers): their GTTs say `index_or_stock: "index"`. */
const INDEX_CODES = new Set(['NIFTY', 'CNXBAN', 'NIFFIN', 'NIFSEL', 'BSESEN', 'BANKEX']);
const NO_DATA = /no data found/i;

export interface GttDeps {
  call: BreezeCall;
  master: () => Promise<SecurityMaster>;
  now: () => Date;
  /** The order book of an exchange, yesterday and today. */
  orderRows: (exchange: Instrument['exchange']) => Promise<OrderRow[]>;
}

export class BreezeGtt implements OcoBroker {
  private readonly deps: GttDeps;

  constructor(deps: GttDeps) {
    this.deps = deps;
  }

  supportsOco(instrument: Instrument): boolean {
    return (instrument.exchange === 'NFO' || instrument.exchange === 'BFO') && (instrument.product === 'FUTURES' || instrument.product === 'OPTIONS');
  }

  async placeOco(request: OcoRequest): Promise<BrokerOco> {
    if (!this.supportsOco(request.instrument)) throw new BrokerRejectedError('GTT OCO orders are for F&O contracts only');
    const stockCode = (await this.deps.master()).toStockCode(request.instrument.symbol);
    const body = {
      ...instrumentFields(request.instrument, stockCode),
      quantity: String(request.quantity),
      gtt_type: 'oco',
      index_or_stock: INDEX_CODES.has(stockCode) ? 'index' : 'stock',
      trade_date: toBreezeDate(sessionDay(this.deps.now())),
      order_details: legsBody(request),
    };
    const ack = gttAck.safeParse(await this.deps.call('POST', 'gttorder', body, 'write'));
    const id = ack.success && ack.data.gtt_order_id ? String(ack.data.gtt_order_id) : undefined;
    if (!id) throw new BrokerOutcomeUnknownError('POST gttorder: accepted without a gtt_order_id');
    return { ocoId: id, status: 'ACTIVE', stop: request.stop, target: request.target };
  }

  async findOco(request: OcoRequest, known: string[]): Promise<BrokerOco | undefined> {
    const stockCode = (await this.deps.master()).toStockCode(request.instrument.symbol);
    for (const row of await this.book(request.instrument)) {
      const oco = await this.ocoOf(row, request.instrument);
      if (!oco || known.includes(oco.ocoId) || oco.status === 'CANCELLED') continue;
      const same = row.stock_code?.toUpperCase() === stockCode && fromBreezeDay(row.expiry_date) === request.instrument.expiry && Number(row.quantity) === request.quantity;
      const legs = (row.order_details ?? []).every((l) => l.action?.toLowerCase() === sideToBreeze(request.side));
      if (same && legs && sameLeg(oco.stop, request.stop) && sameLeg(oco.target, request.target)) return oco;
    }
    return undefined;
  }

  async getOco(_accountId: string, ocoId: string, instrument: Instrument): Promise<BrokerOco> {
    for (const row of await this.book(instrument)) {
      if ((row.order_details ?? []).some((l) => String(l.gtt_order_id ?? '') === ocoId)) {
        const oco = await this.ocoOf(row, instrument);
        if (oco) return oco;
      }
    }
    throw new BrokerRejectedError(`GET gttorder: no GTT ${ocoId} in today's book`);
  }

  async modifyOco(request: OcoRequest, ocoId: string): Promise<BrokerOco> {
    const body = { exchange_code: request.instrument.exchange, gtt_order_id: ocoId, gtt_type: 'oco', order_details: legsBody(request) };
    return this.settled('PUT', body, request.accountId, ocoId, request.instrument);
  }

  async cancelOco(accountId: string, ocoId: string, instrument: Instrument): Promise<BrokerOco> {
    return this.settled('DELETE', { exchange_code: instrument.exchange, gtt_order_id: ocoId }, accountId, ocoId, instrument);
  }

  /** A change, then the OCO read back (a success envelope proves nothing, docs/breeze-api.md#orders); refused when no longer active: its state. */
  private async settled(method: 'PUT' | 'DELETE', body: Record<string, unknown>, accountId: string, ocoId: string, instrument: Instrument): Promise<BrokerOco> {
    try {
      await this.deps.call(method, 'gttorder', body, 'write');
    } catch (err) {
      if (!(err instanceof BrokerRejectedError)) throw err;
      const oco = await this.getOco(accountId, ocoId, instrument);
      if (oco.status === 'ACTIVE') throw err;
      return oco;
    }
    return this.getOco(accountId, ocoId, instrument);
  }

  private async book(instrument: Instrument): Promise<GttRow[]> {
    const today = sessionDay(this.deps.now());
    const yesterday = sessionDay(new Date(this.deps.now().getTime() - 86_400_000));
    try {
      return rowsOf(gttRow, await this.deps.call('GET', 'gttorder', { exchange_code: instrument.exchange, from_date: toBreezeDate(yesterday), to_date: toBreezeDate(today) }, 'read'));
    } catch (err) {
      if (err instanceof BrokerRejectedError && NO_DATA.test(err.message)) return [];
      throw err;
    }
  }

  /** A three-leg book row as an OCO; undefined for a single-leg GTT. */
  private async ocoOf(row: GttRow, instrument: Instrument): Promise<BrokerOco | undefined> {
    const legs = row.order_details ?? [];
    const stopRow = legs.find((l) => l.gtt_leg_type?.toLowerCase() === 'stoploss');
    const targetRow = legs.find((l) => l.gtt_leg_type?.toLowerCase() === 'target');
    if (!stopRow || !targetRow) return undefined;
    const ocoId = String(stopRow.gtt_order_id ?? targetRow.gtt_order_id ?? '');
    const fired = [stopRow, targetRow].find((l) => legStatus(l.status) === 'TRIGGERED');
    const status: OcoStatus = fired ? 'TRIGGERED' : [stopRow, targetRow].every((l) => legStatus(l.status) === 'CANCELLED') ? 'CANCELLED' : 'ACTIVE';
    const oco: BrokerOco = { ocoId, status, stop: legOf(stopRow), target: legOf(targetRow) };
    if (fired) {
      const which = fired === stopRow ? 'STOP' : 'TARGET';
      const named = fired.order_id ? String(fired.order_id) : await this.placedOrder(row, fired, instrument);
      oco.triggered = { which, brokerOrderId: named };
    }
    return oco;
  }

  /** The untagged limit order a triggered leg placed, found in the order book (its row gave no order id). */
  private async placedOrder(row: GttRow, leg: z.infer<typeof gttLegRow>, instrument: Instrument): Promise<string | undefined> {
    const since = fromBreezeDateTime(row.order_datetime);
    const limit = toPaise(leg.limit_price);
    const orders = await this.deps.orderRows(instrument.exchange);
    const match = orders.find((o) => !o.user_remark && o.stock_code?.toUpperCase() === row.stock_code?.toUpperCase() && o.action?.toLowerCase() === leg.action?.toLowerCase() && Number(o.quantity) === Number(row.quantity) && toPaise(o.price) === limit && (!since || (fromBreezeDateTime(o.order_datetime) ?? since) >= since));
    return match?.order_id;
  }
}

/** `order_details` of an OCO: the target leg, then the stop-loss leg (README order). */
function legsBody(request: OcoRequest): Record<string, string>[] {
  const action = sideToBreeze(request.side);
  const leg = (type: string, l: OcoLeg) => ({ gtt_leg_type: type, action, limit_price: toRupeeString(l.limitPricePaise), trigger_price: toRupeeString(l.triggerPricePaise) });
  return [leg('target', request.target), leg('stoploss', request.stop)];
}

/** A leg's status word: `Cancelled` (ICICI's sample), a triggered or executed leg, else waiting (the other words are unconfirmed). */
function legStatus(status: string | null | undefined): OcoStatus {
  const s = (status ?? '').toLowerCase();
  if (/cancel|expire|reject/.test(s)) return 'CANCELLED';
  if (/trigger|execut|complet|placed/.test(s)) return 'TRIGGERED';
  return 'ACTIVE';
}

function legOf(row: z.infer<typeof gttLegRow>): OcoLeg {
  return { triggerPricePaise: toPaise(row.trigger_price) ?? 0, limitPricePaise: toPaise(row.limit_price) ?? 0 };
}

const sameLeg = (a: OcoLeg, b: OcoLeg) => a.triggerPricePaise === b.triggerPricePaise && a.limitPricePaise === b.limitPricePaise;
