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

/**
 * What an order is: the trader's MARKET or LIMIT, or a protective STOP_LIMIT that rests until the
 * last price touches `triggerPricePaise` and then works as a limit at `limitPricePaise` (Breeze's
 * `stoploss` orders are stop-limit only, docs/breeze-api.md#stop-loss-orders).
 */
export type BrokerOrderType = OrderType | 'STOP_LIMIT';

export interface BrokerOrderRequest {
  accountId: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  orderType: BrokerOrderType;
  /** LIMIT and STOP_LIMIT: the worst price the order may fill at. */
  limitPricePaise?: Paise | undefined;
  /** STOP_LIMIT: the last price that wakes the order (a SELL at or below it, a BUY at or above). */
  triggerPricePaise?: Paise | undefined;
  strategyId?: string | undefined;
  /** The registered strategy's name and the exchange algo id the order carries (Breeze: in `user_remark`, after the tag). */
  strategy?: string | undefined;
  algoId?: string | undefined;
}

/** A change to a resting order: what it becomes (its type, with the prices that type needs) and its quantity. */
export interface OrderChange {
  orderType: 'LIMIT' | 'STOP_LIMIT';
  limitPricePaise: Paise;
  triggerPricePaise?: Paise | undefined;
  quantity?: number | undefined;
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
  /**
   * Change a resting order (a stop chased to a marketable limit, a stop or target moved); returns
   * the order as read back afterwards. An order already final answers its final state (FILLED when
   * the fill won the race); refusals of an open order throw BrokerRejectedError.
   */
  modifyOrder(accountId: string, brokerOrderId: string, instrument: Instrument, change: OrderChange): Promise<BrokerOrder>;
  listOrders(accountId: string): Promise<BrokerOrder[]>;
  positions(accountId: string): Promise<BrokerPosition[]>;
  quote(instrument: Instrument): Promise<Quote>;
}
