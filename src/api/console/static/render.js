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

export function when(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-IN', { timeZone: 'Asia/Kolkata', hour12: false });
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
