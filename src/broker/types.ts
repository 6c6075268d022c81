/**
 * The broker seen by the rest of the system. The paper exchange and the Breeze client both
 * implement it; the workflows and the risk engine cannot tell them apart.
 *
 * Every order carries a `tag` derived from the trade id and leg. After a crash or an unclear
 * answer the tag is how a leg is found again at the broker, so a leg is never sent twice.
 *
 * @module
 */
import type { Paise } from '../domain/money.ts';
import type { Instrument, OrderType, Side } from '../domain/trade.ts';

export interface BrokerOrderRequest {
  accountId: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  orderType: OrderType;
  limitPricePaise?: Paise | undefined;
  strategyId?: string | undefined;
}

export interface PlaceOptions {
  /**
   * Epoch ms after which the order must not start going out: the caller's attempt could end
   * before the broker answers, and its retry would look the tag up while the order is still on
   * the wire (and send it again). Past it, placeOrder throws BrokerUnavailableError: not sent.
   */
  sendBy?: number | undefined;
}

export type BrokerOrderStatus = 'OPEN' | 'FILLED' | 'CANCELLED' | 'REJECTED';

export interface BrokerFill {
  fillId: string;
  quantity: number;
  pricePaise: Paise;
  at: string;
}

export interface BrokerOrder {
  brokerOrderId: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  status: BrokerOrderStatus;
  filledQuantity: number;
  averagePricePaise?: Paise | undefined;
  rejectReason?: string | undefined;
  fills: BrokerFill[];
}

export interface Quote {
  lastPricePaise: Paise;
  /** When the price was traded or seen (ISO, UTC). */
  at: string;
  /** The exchange's band for the day, when the broker tells it. */
  upperCircuitPaise?: Paise | undefined;
  lowerCircuitPaise?: Paise | undefined;
}

export interface BrokerPosition {
  instrument: Instrument;
  /** Signed: positive long, negative short. */
  quantity: number;
  averagePricePaise: Paise;
}

export interface Broker {
  readonly name: 'paper' | 'breeze';
  /** Send a new order. Throws BrokerRejectedError, BrokerUnavailableError or BrokerOutcomeUnknownError. */
  placeOrder(request: BrokerOrderRequest, options?: PlaceOptions): Promise<BrokerOrder>;
  /** The order carrying `tag`, if the broker has one. */
  findOrderByTag(accountId: string, tag: string, instrument: Instrument): Promise<BrokerOrder | undefined>;
  getOrder(accountId: string, brokerOrderId: string, instrument: Instrument): Promise<BrokerOrder>;
  cancelOrder(accountId: string, brokerOrderId: string, instrument: Instrument): Promise<BrokerOrder>;
  listOrders(accountId: string): Promise<BrokerOrder[]>;
  positions(accountId: string): Promise<BrokerPosition[]>;
  quote(instrument: Instrument): Promise<Quote>;
}
