// The console's session: the access token lives in memory only; the refresh token is kept in
// sessionStorage (this tab, gone when it closes) so a reload does not log out. Every request goes
// through api(), which refreshes the pair once on a 401 and before the access token expires.

const REFRESH_KEY = 'breeze-trader.refresh';
let accessToken = null;
let refreshTimer = null;
let refreshing = null;
let onSignedOut = () => {};

export function whenSignedOut(fn) {
  onSignedOut = fn;
}

/** The access token's claims (role, account): for showing the right controls, never for trust. */
export function claims() {
  if (!accessToken) return null;
  try {
    const part = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

function keep(pair) {
  accessToken = pair.accessToken;
  sessionStorage.setItem(REFRESH_KEY, pair.refreshToken);
  clearTimeout(refreshTimer);
  // Refresh a minute before the access token runs out (at least after 10 s).
  const inMs = Math.max(10, (pair.expiresIn ?? 900) - 60) * 1000;
  refreshTimer = setTimeout(() => void refresh(), inMs);
}

function forget() {
  accessToken = null;
  sessionStorage.removeItem(REFRESH_KEY);
  clearTimeout(refreshTimer);
}

async function post(path, body) {
  return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' });
}

const failure = (problem, status) => Object.assign(new Error(problem.detail || problem.title || `Login failed (${status})`), { type: problem.type });

/**
 * Log in; `code` is the authenticator's 6 digits or a recovery code. Resolves to undefined when
 * logged in, or to an enrolment ({ enrolmentToken, secret, otpauthUri, recoveryCodes }) when an
 * admin without a second factor must add one first. A missing code rejects with type
 * `/problems/otp-required`.
 */
export async function login(username, password, code) {
  const proof = !code ? {} : /^\d{6}$/.test(code) ? { otp: code } : { recoveryCode: code };
  const res = await post('/auth/login', { username, password, ...proof });
  const body = await res.json().catch(() => ({}));
  if (res.ok) return void keep(body);
  if (body.type !== '/problems/otp-enrolment-required') throw failure(body, res.status);
  const enrolled = await post('/auth/2fa/enroll', { enrolmentToken: body.enrolmentToken });
  const enrolment = await enrolled.json().catch(() => ({}));
  if (!enrolled.ok) throw failure(enrolment, enrolled.status);
  return { enrolmentToken: body.enrolmentToken, ...enrolment };
}

/** Turn the new second factor on with its first code; this logs in. */
export async function confirmEnrolment(enrolmentToken, otp) {
  const res = await post('/auth/2fa/confirm', { enrolmentToken, otp });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw failure(body, res.status);
  keep(body.tokens);
}

/** Use the stored refresh token, once at a time; false when there is none or it is refused. */
export async function refresh() {
  refreshing ??= (async () => {
    const token = sessionStorage.getItem(REFRESH_KEY);
    if (!token) return false;
    const res = await post('/auth/refresh', { refreshToken: token });
    if (!res.ok) {
      forget();
      onSignedOut();
      return false;
    }
    keep(await res.json());
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function logout() {
  if (accessToken) await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
  forget();
  onSignedOut();
}

/** A request with the access token (`options.headers` added); one refresh and retry on 401. */
export async function api(path, options = {}) {
  const send = () => {
    const headers = { ...options.headers, Authorization: `Bearer ${accessToken}` };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), credentials: 'omit', signal: options.signal });
  };
  let res = await send();
  if (res.status === 401 && (await refresh())) res = await send();
  return res;
}

export async function json(path) {
  const res = await api(path);
  if (!res.ok) throw Object.assign(new Error(`${path}: HTTP ${res.status}`), { status: res.status });
  return res.json();
}
