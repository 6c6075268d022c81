// Small DOM helpers. Text always goes in as textContent: nothing from the API is parsed as HTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

export function text(id, value) {
  byId(id).textContent = value ?? '–';
}

const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', maximumFractionDigits: 2 });
export function rupees(n) {
  return n === null || n === undefined ? '–' : inr.format(n);
}

// Every time on the page is Indian time and says so: "05 Dec 2026, 14:03:07 IST", whatever the
// browser's own zone or locale.
const istDateTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const istTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export function when(iso) {
  if (!iso) return '–';
  return `${istDateTime.format(new Date(iso))} IST`;
}

/** The time of day only, for "updated at" lines. */
export function clock(date = new Date()) {
  return `${istTime.format(date)} IST`;
}

export function signClass(n) {
  return n > 0 ? 'up' : n < 0 ? 'down' : '';
}

/** Replace a table body's rows; `rows` are arrays of cells (text or nodes). */
export function rows(tbodyId, data, empty) {
  const body = byId(tbodyId);
  body.replaceChildren();
  if (!data.length) {
    const cols = body.closest('table').querySelectorAll('thead th').length || 1;
    body.append(el('tr', {}, el('td', { colspan: cols, class: 'muted', text: empty })));
    return;
  }
  for (const row of data) body.append(el('tr', {}, ...row.map((cell) => (cell instanceof Node ? el('td', {}, cell) : el('td', { text: cell ?? '–' })))));
}
