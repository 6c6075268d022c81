/**
 * What the livefeeds server pushes on event `order`: one positional array of 47 strings per order
 * change, in the layout the Python SDK's `parse_data` reads (docs/breeze-api.md#order-notifications).
 * Index 11 (`messageType`) is `"4"` for an equity order change and `"5"` for an equity fill, `"6"`
 * and `"7"` for F&O; the one-letter TUX codes (`B`/`S`, `L`/`S`, `T`/`I`, `C`/`F`/`O`, `O`/`E`/`C`/`J`/`X`)
 * sit where the SDK decodes them. No raw sample of a real message was found, so the value formats
 * (dates `DD-Mon-YYYY`, rates as rupee strings) are the emulator's guess.
 *
 * @module
 */
import { toBreezeDateTime, toBreezeDay, toRupeeString } from '../../src/broker/breeze/values.ts';
import { istParts } from '../../src/domain/market-calendar.ts';
import type { BookEvent, EmuOrder } from './book.ts';

export const ORDER_MESSAGE_LENGTH = 47;

const STATUS: Record<EmuOrder['status'], string> = { Ordered: 'O', Executed: 'E', Cancelled: 'C', Rejected: 'J', Expired: 'X' };
const PRODUCT: Record<string, string> = { cash: 'C', futures: 'F', options: 'O', btst: 'B', mtf: 'M' };

/** The `order` array for a change of `order`; `sequence` numbers the messages of the emulator. */
export function orderMessage(order: EmuOrder, change: Extract<BookEvent, { kind: 'order' }>['change'], sequence: number, at: Date): string[] {
  const derivative = order.instrument.product === 'futures' || order.instrument.product === 'options';
  const printed = toBreezeDateTime(at);
  const filled = order.fills.reduce((s, f) => s + f.quantity, 0);
  const average = filled ? Math.round(order.fills.reduce((s, f) => s + f.quantity * f.pricePaise, 0) / filled) : 0;
  const type = (derivative ? 6 : 4) + (change === 'filled' ? 1 : 0);
  const flow = order.action === 'buy' ? 'B' : 'S';
  const limitMarket = order.orderType === 'stoploss' ? 'S' : 'L';
  const validity = order.validity === 'ioc' ? 'I' : 'T';
  const open = order.status === 'Ordered' ? order.quantity - filled : 0;
  const expired = order.status === 'Expired' ? order.quantity - filled : 0;
  const day = toBreezeDay(istParts(order.createdAt).date);
  const header = ['1', '1', order.userId, order.orderId, String(ORDER_MESSAGE_LENGTH), 'N', String(sequence), printed.slice(0, 11), printed.slice(12), 'O', '1', String(type), order.userId, order.instrument.exchange];
  const body = derivative
    ? [
        order.instrument.stockCode, PRODUCT[order.instrument.product]!, order.instrument.product === 'options' ? (order.instrument.right === 'call' ? 'C' : 'P') : '*', 'E',
        String((order.instrument.strikePaise ?? 0) / 100), order.instrument.expiry ? toBreezeDay(order.instrument.expiry) : '', day,
        flow, limitMarket, validity, toRupeeString(order.pricePaise), STATUS[order.status],
        order.orderId, String(order.quantity), String(filled), String(order.cancelledQuantity), String(expired),
        toRupeeString(order.triggerPaise ?? 0), 'N', '0', 'API', change === 'cancelled' ? 'C' : change === 'modified' ? 'M' : 'N', day,
        `10000000${order.orderId.slice(-8)}`, toRupeeString(order.pricePaise * order.quantity), toRupeeString(average), change === 'cancelled' ? 'Y' : 'N', 'N', 'N', 'N', 'N', 'N', '',
      ]
    : [
        order.instrument.stockCode, flow, limitMarket, validity, toRupeeString(order.pricePaise), PRODUCT[order.instrument.product]!, STATUS[order.status],
        day, day, order.orderId, String(order.quantity), String(open), String(filled), String(order.cancelledQuantity), String(expired), '0', toRupeeString(order.triggerPaise ?? 0),
        'N', toRupeeString(order.pricePaise * order.quantity), '0', 'API', order.instrument.exchange === 'BSE' ? 'B' : 'N', '', 'Rolling', 'N',
        '', day, change, toRupeeString(average), 'N', 'N', '0', '',
      ];
  return [...header, ...body];
}
