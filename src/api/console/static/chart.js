// The intraday P&L chart as inline SVG: total P&L (realized + unrealized) over the IST day, with the
// daily loss limit and its 80% warning line drawn below zero.

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 200;
const PAD = { left: 70, right: 10, top: 10, bottom: 24 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function drawPnl(container, samples, limit) {
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'P&L today against the daily loss limit', class: 'pnl' });
  const values = samples.map((s) => s.total);
  const floor = limit ? -limit : 0;
  const lo = Math.min(floor, ...values, 0);
  const hi = Math.max(0, ...values, limit ? limit * 0.25 : 1);
  const t0 = samples.length ? Date.parse(samples[0].at) : Date.now() - 3600_000;
  const t1 = Math.max(t0 + 60_000, samples.length ? Date.parse(samples[samples.length - 1].at) : Date.now());
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + ((hi - v) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);
  const hline = (v, cls, label) => {
    chart.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: cls }));
    chart.append(svg('text', { x: PAD.left - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, label));
  };
  hline(0, 'zero', '0');
  if (limit) {
    hline(-limit, 'limit', `-${Math.round(limit)}`);
    hline(-limit * 0.8, 'warn', '80%');
  }
  if (samples.length) {
    const points = samples.map((s) => `${x(Date.parse(s.at)).toFixed(1)},${y(s.total).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, class: values[values.length - 1] < 0 ? 'line down' : 'line up' }));
    const fmt = (t) => new Date(t).toLocaleTimeString('en-IN', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hour12: false });
    chart.append(svg('text', { x: PAD.left, y: H - 6, class: 'axis' }, fmt(t0)));
    chart.append(svg('text', { x: W - PAD.right, y: H - 6, 'text-anchor': 'end', class: 'axis' }, `${fmt(t1)} IST`));
  } else {
    chart.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, 'no samples yet today'));
  }
  container.replaceChildren(chart);
}
