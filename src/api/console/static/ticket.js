// The order ticket: POST /trades with an Idempotency-Key made for each submission. A submission
// that got no answer at all (the network dropped) keeps its key, so sending the same ticket again
// cannot make a second trade; any answer, or a changed ticket, starts a new key.
import { api } from './api.js';
import { byId, el } from './render.js';

let pending = null; // { key, body } of a submission that got no answer

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const rupeesField = (id) => {
  const raw = byId(id).value.trim();
  return raw === '' ? undefined : Number(raw);
};

/** The ticket as the API's TradeRequest (rupees as numbers; empty fields left out). */
export function ticketBody() {
  const orderType = byId('ticket-type').value;
  const body = {
    symbol: byId('ticket-symbol').value.trim().toUpperCase(),
    exchange: byId('ticket-exchange').value,
    side: byId('ticket-side').value,
    quantity: Number(byId('ticket-quantity').value),
    orderType,
    price: orderType === 'LIMIT' ? rupeesField('ticket-price') : undefined,
    stopLoss: rupeesField('ticket-stop'),
    target: rupeesField('ticket-target'),
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** A refusal as lines a person can read: risk violations, field problems, or the problem's detail. */
export function describeRefusal(status, problem) {
  const lines = [];
  // The message already says the limit and the value in rupees; the bare numbers only without one.
  for (const v of problem.violations ?? []) lines.push(`${v.rule}: ${v.message ?? `limit ${v.limit ?? '–'}, actual ${v.actual ?? '–'}`}`);
  for (const e of problem.errors ?? []) lines.push(`${(e.pointer ?? '').replace(/^\//, '') || e.location}: ${e.detail}`);
  const head = problem.detail || problem.title || problem.rejectReason || `Refused (HTTP ${status})`;
  return { head, lines };
}

function showResult(kind, head, lines = []) {
  const box = byId('ticket-result');
  box.className = kind;
  box.replaceChildren(el('strong', { text: head }), ...(lines.length ? [el('ul', {}, ...lines.map((l) => el('li', { 'data-testid': 'violation', text: l })))] : []));
}

function syncPriceField() {
  const limit = byId('ticket-type').value === 'LIMIT';
  byId('ticket-price').disabled = !limit;
  byId('ticket-price').required = limit;
}

/** Wire the ticket; `onPlaced(trade)` runs after the API accepted (or replayed) the entry. */
export function setUpTicket(onPlaced) {
  byId('ticket-type').addEventListener('change', syncPriceField);
  syncPriceField();
  byId('ticket-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = ticketBody();
    const same = pending && JSON.stringify(pending.body) === JSON.stringify(body);
    const key = same ? pending.key : newKey();
    pending = { key, body };
    const button = byId('ticket-submit');
    button.disabled = true;
    showResult('muted', 'Sending…');
    try {
      const res = await api('/trades', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      const answer = await res.json().catch(() => ({}));
      // 202 "unknown": the engine did not confirm in time; the same key again joins that trade.
      pending = res.status === 202 && answer.outcome === 'unknown' ? pending : null;
      if (res.ok && !answer.violations?.length && answer.status !== 'REJECTED') {
        const outcome = answer.outcome === 'unknown' ? 'outcome unknown, submit the same ticket again' : answer.status;
        showResult('up', `${body.side} ${body.quantity} ${body.symbol}: ${outcome}`);
        onPlaced(answer);
      } else {
        const { head, lines } = describeRefusal(res.status, answer);
        showResult('error', head, lines);
        if (res.ok) onPlaced(answer);
      }
    } catch (err) {
      showResult('error', `No answer (${err.message}); submitting the same ticket again is safe`);
    } finally {
      button.disabled = false;
    }
  });
}
