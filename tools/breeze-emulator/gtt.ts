/**
 * The emulator's `gttorder` endpoint (docs/breeze-api.md#gtt-orders): `POST` places a single-leg
 * or three-leg (OCO) GTT, `PUT` changes the prices of its waiting legs, `DELETE` cancels them, and
 * `GET` is the GTT book between two dates, in the row shape of ICICI's README sample. GTT is taken
 * for F&O only (NFO, BFO), as every ICICI sample is; the refusal texts are ours (UNCONFIRMED).
 *
 * @module
 */
import { fromBreezeDay, toBreezeDateTime, toBreezeDay, toPaise } from '../../src/broker/breeze/values.ts';
import { instrumentOf } from './book.ts';
import { GttBook, type GttLeg, type GttOrder } from './gtt-book.ts';
import type { SecurityMasterData } from './master.ts';
import { sizeProblem, stopProblem } from './orders.ts';
import { type Answer, businessError, ok, TEXT } from './wire.ts';

type Body = Record<string, unknown>;

const str = (body: Body, key: string) => (typeof body[key] === 'string' || typeof body[key] === 'number' ? String(body[key]).trim() : '');
const lower = (body: Body, key: string) => str(body, key).toLowerCase();
const title = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const rupees = (paise: number) => paise / 100;

/** UNCONFIRMED texts: Breeze's own wording for these refusals is unknown. */
const GTT_TEXT = {
  fnoOnly: 'GTT orders are available for F&O contracts only',
  legs: 'Invalid order_details: an OCO needs one target and one stoploss leg on the same side',
  sides: "Invalid order_details: the stoploss leg's trigger must be on the losing side of the target's",
  notActive: 'GTT order is not active',
};

/** The legs of `order_details`, or undefined when one does not parse. */
function legsOf(value: unknown, three: boolean): GttLeg[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const legs = value.map((raw: Body): GttLeg | undefined => {
    const action = lower(raw, 'action');
    const legType = three ? lower(raw, 'gtt_leg_type') : '';
    const triggerPaise = toPaise(str(raw, 'trigger_price'));
    const limitPaise = toPaise(str(raw, 'limit_price'));
    if ((action !== 'buy' && action !== 'sell') || !triggerPaise || !limitPaise) return undefined;
    if (three && legType !== 'target' && legType !== 'stoploss') return undefined;
    return { legType: three ? (legType as 'target' | 'stoploss') : null, action, triggerPaise, limitPaise, status: 'Active' };
  });
  return legs.every((l): l is GttLeg => l !== undefined) ? legs : undefined;
}

/** Problems of a set of legs: the OCO shape, the stop on the losing side, a stop-limit's limit no better than its trigger. */
function legProblem(legs: GttLeg[], three: boolean): string | undefined {
  if (!three) return legs.length === 1 ? undefined : GTT_TEXT.legs;
  const target = legs.find((l) => l.legType === 'target');
  const stop = legs.find((l) => l.legType === 'stoploss');
  if (legs.length !== 2 || !target || !stop || target.action !== stop.action) return GTT_TEXT.legs;
  if (stop.action === 'sell' ? stop.triggerPaise >= target.triggerPaise : stop.triggerPaise <= target.triggerPaise) return GTT_TEXT.sides;
  return stopProblem(stop.action, stop.limitPaise, stop.triggerPaise);
}

export function placeGtt(gtts: GttBook, master: SecurityMasterData, userId: string, body: Body): Answer {
  const gttType = lower(body, 'gtt_type');
  const product = lower(body, 'product');
  if (!['NFO', 'BFO'].includes(str(body, 'exchange_code').toUpperCase()) || !['futures', 'options'].includes(product)) return businessError(GTT_TEXT.fnoOnly);
  if (!['single', 'oco', 'cover_oco'].includes(gttType)) return businessError('Invalid gtt_type');
  if (!fromBreezeDay(str(body, 'expiry_date'))) return businessError('Invalid expiry_date');
  if (!/^[1-9]\d*$/.test(str(body, 'quantity'))) return businessError('Invalid quantity');
  const three = gttType !== 'single';
  const legs = legsOf(body.order_details, three);
  if (!legs) return businessError('Invalid order_details');
  const instrument = instrumentOf({ ...body, product });
  const quantity = Number(str(body, 'quantity'));
  const refusal = legProblem(legs, three) ?? sizeProblem(master, instrument, quantity, legs.flatMap((l) => [l.triggerPaise, l.limitPaise]));
  if (refusal) return businessError(refusal);
  const gtt: GttOrder = { gttOrderId: gtts.nextId(), userId, instrument, quantity, gttType: gttType as GttOrder['gttType'], indexOrStock: lower(body, 'index_or_stock') || 'stock', legs, createdAt: gtts.now() };
  if (gttType === 'cover_oco') {
    const freshPaise = toPaise(str(body, 'fresh_order_price'));
    const freshAction = lower(body, 'fresh_order_action');
    if (!freshPaise || (freshAction !== 'buy' && freshAction !== 'sell') || freshAction === legs[0]!.action) return businessError('Invalid fresh order');
    gtt.freshOrderId = gtts.placeFresh(gtt, freshAction, freshPaise);
  }
  gtts.add(gtt);
  return ok({ gtt_order_id: gtt.gttOrderId, message: 'Your GTT Order Request Placed Successfully' });
}

function find(gtts: GttBook, userId: string, body: Body): GttOrder | undefined {
  const gtt = gtts.orders.get(str(body, 'gtt_order_id'));
  return gtt && gtt.userId === userId && gtt.instrument.exchange === str(body, 'exchange_code').toUpperCase() ? gtt : undefined;
}

/** `PUT gttorder`: new prices for the legs still waiting, matched by leg type (or the one single leg). */
export function modifyGtt(gtts: GttBook, master: SecurityMasterData, userId: string, body: Body): Answer {
  const gtt = find(gtts, userId, body);
  if (!gtt) return businessError(TEXT.noData);
  const three = gtt.gttType !== 'single';
  if (three ? !['oco', 'cover_oco'].includes(lower(body, 'gtt_type')) : lower(body, 'gtt_type') !== 'single') return businessError('Invalid gtt_type');
  if (!GttBook.active(gtt)) return businessError(GTT_TEXT.notActive);
  const legs = legsOf(body.order_details, three);
  if (!legs) return businessError('Invalid order_details');
  const refusal = legProblem(legs, three) ?? sizeProblem(master, gtt.instrument, gtt.quantity, legs.flatMap((l) => [l.triggerPaise, l.limitPaise]));
  if (refusal) return businessError(refusal);
  for (const leg of gtt.legs) {
    const next = legs.find((l) => l.legType === leg.legType);
    if (next) Object.assign(leg, { triggerPaise: next.triggerPaise, limitPaise: next.limitPaise, action: next.action });
  }
  gtts.check(gtt);
  return ok({ gtt_order_id: gtt.gttOrderId, message: 'Order Modified Successfully' });
}

/** `DELETE gttorder`: the waiting legs are cancelled; a GTT with none left is refused. */
export function cancelGtt(gtts: GttBook, userId: string, body: Body): Answer {
  const gtt = find(gtts, userId, body);
  if (!gtt) return businessError(TEXT.noData);
  if (!GttBook.active(gtt)) return businessError(GTT_TEXT.notActive);
  gtts.cancel(gtt);
  return ok({ gtt_order_id: gtt.gttOrderId, message: 'Your request for order cancellation successfully submitted !' });
}

/** `GET gttorder`: the user's GTTs on an exchange placed between `from_date` and `to_date` (IST days). */
export function gttBook(gtts: GttBook, userId: string, body: Body, istDay: (d: Date) => string): Answer {
  const exchange = str(body, 'exchange_code').toUpperCase();
  const from = fromBreezeDay(str(body, 'from_date'));
  const to = fromBreezeDay(str(body, 'to_date'));
  if (!exchange || !from || !to) return businessError('Invalid from_date or to_date');
  const rows = gtts
    .ordersOf(userId)
    .filter((g) => g.instrument.exchange === exchange && istDay(g.createdAt) >= from && istDay(g.createdAt) <= to)
    .map((g) => ({
      order_details: g.legs.map((l) => ({ gtt_leg_type: l.legType && title(l.legType), action: title(l.action), trigger_price: rupees(l.triggerPaise), limit_price: rupees(l.limitPaise), status: l.status, gtt_order_id: g.gttOrderId, order_id: l.orderId ?? null })),
      exchange_code: g.instrument.exchange,
      product_type: title(g.instrument.product),
      stock_code: g.instrument.stockCode,
      expiry_date: g.instrument.expiry ? toBreezeDay(g.instrument.expiry) : null,
      strike_price: rupees(g.instrument.strikePaise ?? 0),
      right: g.instrument.right ? title(g.instrument.right) : 'Others',
      quantity: g.quantity,
      index_or_stock: title(g.indexOrStock),
      gtt_type: g.gttType === 'single' ? 'Single' : g.gttType === 'oco' ? 'OCO' : 'Cover OCO',
      fresh_order_id: g.freshOrderId ?? null,
      order_datetime: toBreezeDateTime(g.createdAt).toUpperCase(),
    }));
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}
