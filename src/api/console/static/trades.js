// Trades on the page: the recent-trades table with its exit / cancel / detail buttons, the order book
// (every leg of the trades still working: entries, resting stop-losses and targets), and the detail
// view of one trade with its legs, fills, charges and audit timeline.
import { api, json } from './api.js';
import { byId, el, rows, rupees, signClass, text, when } from './render.js';

const FINAL = ['REJECTED', 'CLOSED', 'FAILED', 'CANCELLED'];
const WORKING_LEGS = ['NEW', 'UNKNOWN', 'OPEN'];
let onAction = () => {};

/** What runs after an exit or cancel was asked for (the page redraws). */
export function whenTradeActed(fn) {
  onAction = fn;
}

async function act(trade, action) {
  const message = byId('trade-message');
  message.textContent = `${action === 'exit' ? 'Exiting' : 'Cancelling'} ${trade.symbol}…`;
  const res = await api(`/trades/${trade.id}/${action}`, { method: 'POST' });
  const answer = await res.json().catch(() => ({}));
  message.textContent = res.ok ? `${trade.symbol}: ${action} ${res.status === 202 ? 'requested' : `done (${answer.status})`}` : answer.detail || answer.title || `Failed (HTTP ${res.status})`;
  onAction();
}

function actions(t, canTrade) {
  const box = el('span', { class: 'actions' });
  if (canTrade && t.status === 'OPEN') {
    const b = el('button', { type: 'button', class: 'danger', 'data-testid': 'exit-trade', text: 'Exit' });
    b.addEventListener('click', () => void act(t, 'exit'));
    box.append(b);
  }
  if (canTrade && t.status === 'PENDING') {
    const b = el('button', { type: 'button', 'data-testid': 'cancel-trade', text: 'Cancel' });
    b.addEventListener('click', () => void act(t, 'cancel'));
    box.append(b);
  }
  const d = el('button', { type: 'button', 'data-testid': 'trade-details', text: 'Details' });
  d.addEventListener('click', () => void showTrade(t.id));
  box.append(d);
  return box;
}

export function renderTrades(data, canTrade) {
  rows('trades', data.trades.map((t) => [
    when(t.createdAt),
    t.symbol,
    t.side,
    t.quantity,
    el('span', { 'data-testid': 'trade-status', text: t.status }),
    t.pnl ? el('span', { 'data-testid': 'trade-pnl', class: signClass(t.pnl.net), text: rupees(t.pnl.net) }) : '–',
    actions(t, canTrade),
    el('a', { href: t.workflowUrl, target: '_blank', rel: 'noopener noreferrer', text: 'Temporal' }),
  ]), 'no trades yet');
}

/** The order book: GET /trades/{id} of each trade still working, and their legs. */
export async function renderOrderBook(data) {
  const working = data.trades.filter((t) => !FINAL.includes(t.status));
  const details = await Promise.all(working.map((t) => json(`/trades/${t.id}`).catch(() => null)));
  const legs = details.filter(Boolean).flatMap((t) => (t.legs ?? []).map((l) => ({ ...l, symbol: t.symbol })));
  legs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  rows('orders', legs.map((l) => [
    when(l.createdAt),
    l.symbol,
    l.leg,
    l.side,
    l.quantity,
    l.orderType,
    rupees(l.price),
    el('span', { class: WORKING_LEGS.includes(l.status) ? 'working' : '', text: l.status }),
    `${l.filledQuantity ?? 0} @ ${rupees(l.averagePrice)}`,
  ]), 'no working orders');
}

let shown = null; // the trade id the detail view shows

function describeEvent(e) {
  const p = e.payload ?? {};
  const bits = ['status', 'reason', 'exitReason', 'quantity', 'filledQuantity', 'price', 'averagePrice', 'leg', 'rejectReason']
    .filter((k) => p[k] !== undefined && p[k] !== null && typeof p[k] !== 'object')
    .map((k) => `${k} ${p[k]}`);
  return bits.join(', ');
}

/** Open (or redraw) the detail view of one trade. */
export async function showTrade(id) {
  shown = id;
  byId('detail-panel').hidden = false;
  const [trade, timeline] = await Promise.all([json(`/trades/${id}`), json(`/trades/${id}/timeline`)]);
  if (shown !== id) return;
  text('detail-title', `${trade.side} ${trade.quantity} ${trade.symbol} (${trade.exchange}) · ${trade.id}`);
  const facts = [
    ['Status', trade.status],
    ['Order', `${trade.orderType}${trade.price ? ` at ${rupees(trade.price)}` : ''}`],
    ['Stop-loss / target', `${rupees(trade.stopLoss)} / ${rupees(trade.target)}`],
    ['Entry / exit', `${rupees(trade.entryPrice)} / ${rupees(trade.exitPrice)}`],
    ['Gross P&L', rupees(trade.pnl?.gross)],
    ['Charges', rupees(trade.pnl?.charges)],
    ['Net P&L', rupees(trade.pnl?.net)],
    ['Opened / closed', `${when(trade.openedAt)} / ${when(trade.closedAt)}`],
    ['Exit reason', trade.exitReason ?? trade.rejectReason ?? '–'],
  ];
  byId('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { 'data-testid': `detail-${k.toLowerCase().replace(/[^a-z]+/g, '-')}`, text: v })]));
  const legs = trade.legs ?? [];
  rows('detail-legs', legs.map((l) => [when(l.createdAt), l.leg, l.side, l.quantity, l.orderType, rupees(l.price), l.status, l.brokerOrderId ?? '–']), 'no legs yet');
  rows('detail-fills', legs.filter((l) => l.filledQuantity > 0).map((l) => [l.leg, l.side, l.filledQuantity, rupees(l.averagePrice), rupees(l.filledQuantity * (l.averagePrice ?? 0))]), 'no fills yet');
  rows('detail-timeline', timeline.events.map((e) => [when(e.occurredAt), e.type, `${e.actorType ?? ''}${e.actorId ? ` ${e.actorId}` : ''}`, describeEvent(e)]), 'no audit records');
}

/** Redraw the open detail view (on live updates); nothing when none is open. */
export function refreshShownTrade() {
  return shown ? showTrade(shown) : Promise.resolve();
}

export function closeTrade() {
  shown = null;
  byId('detail-panel').hidden = true;
}
