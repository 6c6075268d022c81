// The operator console: log in, then redraw each panel from the API whenever GET /events says
// something changed (or every 2 s where the server has no /events). Trades go in through the order
// ticket, halt and resume through POST /risk/halt and /risk/resume like any other client (the
// server decides, the page only hides what a role cannot use).
import { api, claims, confirmEnrolment, json, login, logout, refresh, whenSignedOut } from './console/api.js';
import { follow } from './console/live.js';
import { renderAlerts, renderBackups, renderLimits, renderPnl, renderPositions, renderState, renderSystem } from './console/panels.js';
import { byId, clock, text } from './console/render.js';
import { setUpTicket } from './console/ticket.js';
import { closeTrade, refreshShownTrade, renderOrderBook, renderTrades, whenTradeActed } from './console/trades.js';

// Even with live events, a slow full redraw: the system and backup panels have no events.
const BACKSTOP_MS = 15_000;
let timer = null;
let unfollow = () => {};
// Which sign-in the page is drawing for: an answer that arrives after a logout (or after another
// user signed in on this tab) belongs to the old session and must not be drawn.
let session = 0;
let mode = '';

function show(signedIn) {
  byId('login-panel').hidden = signedIn;
  byId('app').hidden = !signedIn;
  byId('logout').hidden = !signedIn;
  const c = claims();
  text('who', signedIn && c ? `${c.role} · account ${c.acc}` : '');
}

async function backupStatus() {
  const res = await api('/backup/status');
  return { status: res.status, body: res.ok ? await res.json().catch(() => null) : null };
}

let running = null;
let again = false;
let lastStart = 0;
let pending = null;
// A burst of events (a fill brings trade, order, fill and P&L events) must not become a burst of
// redraws: each redraw reads about ten routes, and the read rate limit counts them all.
const MIN_GAP_MS = 1500;

/** Redraw everything, at most once every MIN_GAP_MS; calls meanwhile fold into one more after it. */
function update() {
  if (running || pending) {
    again = true;
    return running ?? Promise.resolve();
  }
  const wait = lastStart + MIN_GAP_MS - Date.now();
  if (wait > 0) {
    pending = setTimeout(() => {
      pending = null;
      void update();
    }, wait);
    return Promise.resolve();
  }
  lastStart = Date.now();
  again = false;
  running = redraw().finally(() => {
    running = null;
    if (again) {
      again = false;
      void update();
    }
  });
  return running;
}

async function redraw() {
  const role = claims()?.role;
  const isAdmin = role === 'admin';
  const canTrade = isAdmin || role === 'trader';
  byId('ticket-panel').hidden = !canTrade;
  const drawnFor = session;
  const current = (render) => (data) => {
    if (drawnFor === session) render(data);
  };
  // Each panel on its own: one failing route must not blank the others.
  const jobs = [
    json('/risk/status').then(current((s) => {
      renderState(s, isAdmin);
      renderLimits(s);
    })),
    json('/positions').then(current(renderPositions)),
    json('/monitoring/pnl').then(current(renderPnl)),
    json('/trades?limit=20').then((d) => {
      current((data) => renderTrades(data, canTrade))(d);
      return drawnFor === session ? renderOrderBook(d) : undefined;
    }),
    refreshShownTrade(),
    json('/monitoring/alerts?limit=20').then(current(renderAlerts)),
    backupStatus().then(current(renderBackups)),
    json('/monitoring/metrics').then(current(renderSystem)),
  ];
  const results = await Promise.allSettled(jobs);
  if (drawnFor !== session) return;
  const failed = results.filter((r) => r.status === 'rejected').length;
  text('updated', `Updated ${clock()}${mode ? ` · ${mode}` : ''}${failed ? ` (${failed} panel${failed > 1 ? 's' : ''} failed)` : ''}`);
}

function start() {
  session += 1;
  closeTrade();
  show(true);
  clearInterval(timer);
  unfollow();
  unfollow = follow(
    () => void update(),
    (m) => (mode = m === 'live' ? 'live' : 'polling every 2 s'),
  );
  timer = setInterval(() => void update(), BACKSTOP_MS);
}

function stop() {
  session += 1;
  clearInterval(timer);
  clearTimeout(pending);
  pending = null;
  unfollow();
  unfollow = () => {};
  show(false);
}

async function control(path, body) {
  const message = byId('control-message');
  message.textContent = '…';
  const res = await api(path, { method: 'POST', body });
  const answer = await res.json().catch(() => ({}));
  message.textContent = res.ok ? `Trading is ${answer.tradingState}` : answer.detail || answer.title || `Failed (HTTP ${res.status})`;
  await update();
}

// Set while an admin is enrolling a second factor (the token the login answered with).
let enrolmentToken = null;
function askForCode(enrolment) {
  byId('otp-label').hidden = false;
  byId('otp').value = '';
  byId('enrolment').hidden = !enrolment;
  if (enrolment) {
    enrolmentToken = enrolment.enrolmentToken;
    text('enrolment-secret', enrolment.secret);
    byId('enrolment-uri').href = enrolment.otpauthUri;
    text('enrolment-codes', enrolment.recoveryCodes.join('\n'));
  }
  byId('otp').focus();
}
function signedIn() {
  enrolmentToken = null;
  byId('otp').value = '';
  byId('otp-label').hidden = true;
  byId('enrolment').hidden = true;
  text('enrolment-codes', '');
  start();
}
byId('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  text('login-error', '');
  const code = byId('otp').value.trim();
  const attempt = enrolmentToken ? confirmEnrolment(enrolmentToken, code) : login(byId('username').value, byId('password').value, code);
  attempt.then(
    (enrolment) => (enrolment ? askForCode(enrolment) : signedIn()),
    (err) => {
      if (!enrolmentToken && (err.type === '/problems/otp-required' || err.type === '/problems/invalid-otp')) askForCode(null);
      text('login-error', err.message);
    },
  );
});
byId('logout').addEventListener('click', () => void logout());
// Halting with flatten exits every open trade: the page asks first, and only "Halt and flatten" sends.
const halt = () => void control('/risk/halt', { reason: byId('halt-reason').value, flatten: byId('halt-flatten').checked });
byId('halt-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!byId('halt-flatten').checked) return halt();
  const dialog = byId('flatten-dialog');
  dialog.returnValue = '';
  dialog.showModal();
});
byId('flatten-dialog').addEventListener('close', () => {
  if (byId('flatten-dialog').returnValue === 'confirm') halt();
  else text('control-message', 'Not halted: nothing changed');
});
byId('detail-close').addEventListener('click', closeTrade);
setUpTicket(() => void update());
whenTradeActed(() => void update());
byId('resume-button').addEventListener('click', () => void control('/risk/resume'));
whenSignedOut(stop);

// A reload keeps the session when this tab still holds a refresh token.
refresh().then((ok) => (ok ? start() : show(false)), () => show(false));
