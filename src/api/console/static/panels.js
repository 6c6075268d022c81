// One function per panel: each takes what its API route answered and redraws its part of the page.
import { drawPnl } from './chart.js';
import { byId, el, rows, rupees, signClass, text, when } from './render.js';

export function renderState(status, isAdmin) {
  const state = byId('trading-state');
  state.textContent = status.tradingState;
  state.className = `state ${status.tradingState.toLowerCase()}`;
  text('state-reason', status.reason ? `— ${status.reason} (since ${when(status.since)})` : `since ${when(status.since)}`);
  byId('admin-controls').hidden = !isAdmin;
  byId('halt-button').disabled = status.tradingState === 'HALTED';
  byId('resume-button').disabled = status.tradingState === 'ACTIVE';
}

export function renderLimits(status) {
  const u = status.usage;
  const meter = (ratio) => el('meter', { min: 0, max: 1, low: 0.6, high: 0.8, optimum: 0, value: Math.min(1, Math.max(0, ratio ?? 0)) });
  rows('limits', [
    ['Open positions', u.openPositions.used, u.openPositions.limit, meter(u.openPositions.ratio)],
    ['Daily loss', rupees(u.dailyLoss.used), rupees(u.dailyLoss.limit), meter(u.dailyLoss.ratio)],
    ['Largest position (units)', u.largestPositionQuantity.used, u.largestPositionQuantity.limit, meter(u.largestPositionQuantity.ratio)],
    ['Largest position (value)', rupees(u.largestConcentration.used), rupees(u.largestConcentration.limit), meter(u.largestConcentration.ratio)],
    ['Orders in the last second', u.ordersLastSecond.used, u.ordersLastSecond.limit, meter(u.ordersLastSecond.ratio)],
  ], 'no limits');
}

export function renderPnl(pnl) {
  const last = pnl.samples[pnl.samples.length - 1];
  const realized = byId('pnl-realized');
  realized.textContent = rupees(last?.realized ?? 0);
  realized.className = signClass(last?.realized ?? 0);
  const unrealized = byId('pnl-unrealized');
  unrealized.textContent = rupees(last?.unrealized ?? 0);
  unrealized.className = signClass(last?.unrealized ?? 0);
  text('pnl-limit', rupees(pnl.dailyLossLimit));
  drawPnl(byId('pnl-chart'), pnl.samples, pnl.dailyLossLimit);
}

export function renderPositions(data) {
  rows('positions', data.positions.map((p) => [
    el('span', { 'data-testid': 'position-symbol', text: p.symbol }),
    p.side,
    p.quantity,
    rupees(p.entryPrice),
    rupees(p.lastPrice),
    el('span', { class: signClass(p.unrealizedPnl), text: rupees(p.unrealizedPnl) }),
    el('code', { text: p.tradeId }),
  ]), 'no open positions');
}

export function renderAlerts(data) {
  const current = byId('alerts-current');
  current.replaceChildren(
    ...(data.current.length
      ? data.current.map((a) => el('li', { class: `sev-${a.severity}` }, el('strong', { text: `${a.status} ${a.severity}` }), ` ${a.summary}`))
      : [el('li', { class: 'muted', text: 'nothing firing' })]),
  );
  rows('alerts', data.recent.slice(0, 20).map((e) => [
    when(e.occurredAt),
    e.status,
    el('span', { class: `sev-${e.severity}`, text: e.severity }),
    e.summary,
    e.deliveries.map((d) => `${d.channel}: ${d.status.toLowerCase()}`).join(', ') || 'pending',
  ]), 'no alerts');
}

/** GET /backup/status; 404: not deployed here, 403: admins only. */
export function renderBackups(result) {
  const box = byId('backups');
  if (result.status === 404) return box.replaceChildren(el('span', { class: 'muted', text: 'unavailable' }));
  if (result.status === 403) return box.replaceChildren(el('span', { class: 'muted', text: 'visible to admins only' }));
  if (!result.body) return box.replaceChildren(el('span', { class: 'muted', text: `unavailable (HTTP ${result.status})` }));
  const kinds = Array.isArray(result.body.kinds) ? result.body.kinds : [];
  const table = el('table', {}, el('thead', {}, el('tr', {}, ...['Kind', 'Last success', 'Last verified', ''].map((h) => el('th', { text: h })))));
  const body = el('tbody');
  for (const k of kinds) {
    body.append(el('tr', {},
      el('td', { text: k.kind }),
      el('td', { text: when(k.lastSuccessful?.finishedAt) }),
      el('td', { text: when(k.lastVerified?.verifiedAt) }),
      el('td', { class: k.stale ? 'down' : 'up', text: k.stale ? 'stale' : k.lastVerified || k.kind === 'manual' ? 'ok' : 'not due yet' })));
  }
  table.append(body);
  box.replaceChildren(kinds.length ? table : el('span', { class: 'muted', text: 'no backups yet' }));
}

export function renderSystem(m) {
  const pct = (r) => (r === null || r === undefined ? '–' : `${Math.round(r * 100)}%`);
  const v = m.audit.lastVerification;
  const items = [
    ['Workers polling', `${m.taskQueue.workflowPollers ?? '?'} workflow / ${m.taskQueue.activityPollers ?? '?'} activity`],
    ['Audit chain', v ? `${v.ok ? 'ok' : 'BROKEN'} (${v.records} records, ${when(v.at)})` : 'not verified yet'],
    ['Broker (5 min)', `${m.broker.calls5m} calls, ${m.broker.errors5m} errors${m.broker.sessionExpired ? ', SESSION EXPIRED' : ''}`],
    ['Alert evaluator', m.alerts.lastEvaluationAt ? `last run ${when(m.alerts.lastEvaluationAt)}` : 'not run yet'],
    ...m.processes.map((p) => [`${p.kind} ${p.host}`, `CPU ${pct(p.cpuRatio)}, memory ${pct(p.memoryRatio)}, disk free ${pct(p.diskFreeRatio)}`]),
  ];
  byId('system').replaceChildren(el('dl', {}, ...items.flatMap(([k, val]) => [el('dt', { text: k }), el('dd', { text: val })])));
}
