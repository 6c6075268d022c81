// The operator console: log in, then every few seconds redraw each panel from the API. Halt and
// resume go through POST /risk/halt and /risk/resume like any other client (admins only; the
// server decides, the page only hides what a role cannot use).
import { api, claims, confirmEnrolment, json, login, logout, refresh, whenSignedOut } from './console/api.js';
import { renderAlerts, renderBackups, renderLimits, renderPnl, renderPositions, renderState, renderSystem, renderTrades } from './console/panels.js';
import { byId, text } from './console/render.js';

const REFRESH_MS = 5000;
let timer = null;
// Which sign-in the page is drawing for: an answer that arrives after a logout (or after another
// user signed in on this tab) belongs to the old session and must not be drawn.
let session = 0;
const trades = new Map();

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

async function update() {
  const isAdmin = claims()?.role === 'admin';
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
    json('/trades?limit=10').then(current((d) => renderTrades(d, trades))),
    json('/monitoring/alerts?limit=20').then(current(renderAlerts)),
    backupStatus().then(current(renderBackups)),
    json('/monitoring/metrics').then(current(renderSystem)),
  ];
  const results = await Promise.allSettled(jobs);
  if (drawnFor !== session) return;
  const failed = results.filter((r) => r.status === 'rejected').length;
  text('updated', `Updated ${new Date().toLocaleTimeString('en-IN', { hour12: false })}${failed ? ` (${failed} panel${failed > 1 ? 's' : ''} failed)` : ''}`);
}

function start() {
  session += 1;
  trades.clear();
  show(true);
  clearInterval(timer);
  void update();
  timer = setInterval(() => void update(), REFRESH_MS);
}

function stop() {
  session += 1;
  clearInterval(timer);
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
byId('halt-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void control('/risk/halt', { reason: byId('halt-reason').value, flatten: byId('halt-flatten').checked });
});
byId('resume-button').addEventListener('click', () => void control('/risk/resume'));
whenSignedOut(stop);

// A reload keeps the session when this tab still holds a refresh token.
refresh().then((ok) => (ok ? start() : show(false)), () => show(false));
