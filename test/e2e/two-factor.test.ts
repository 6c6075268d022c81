import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { Authenticator } from '../support/totp.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startStack({ settings: { LOCKOUT_THRESHOLD: '3', LOGIN_FAILURES_PER_IP_HOUR: '50' } });
  admin = (await stack.login()).accessToken;
});
afterAll(async () => stack?.stop());

const post = (path: string, body: unknown, init: { ip?: string; token?: string } = {}) => stack.request(path, { method: 'POST', body: JSON.stringify(body), ...init });
const login = ({ username, password, otp, recoveryCode }: { username: string; password: string; otp?: string; recoveryCode?: string }, ip = '198.51.100.1') =>
  post('/auth/login', { username, password, otp, recoveryCode }, { ip });
async function events(type: string, user: string) {
  await sealAudit(stack.db.sql);
  return stack.db.sql<{ actorId: string; payload: Record<string, unknown> }[]>`
    select actor_id as "actorId", payload from audit_events where event_type = ${type} and (payload->>'user' = ${user} or actor_id = ${user}) order by seq`;
}

/** A user created by the first admin, not yet logged in. */
async function newUser(role: 'admin' | 'trader') {
  const username = `${role}-${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const res = await post('/users', { username, password, role }, { token: admin });
  expect(res.status).toBe(201);
  return { username, password, id: ((await res.json()) as { id: string }).id };
}

/** Enrol through the enrolment token an admin's login answers with; returns the app and the codes. */
async function enrolAdmin(user: { username: string; password: string }) {
  const refused = await login(user);
  const { enrolmentToken } = (await refused.json()) as { enrolmentToken: string };
  const enrolment = (await (await post('/auth/2fa/enroll', { enrolmentToken })).json()) as { secret: string; recoveryCodes: string[] };
  const app = new Authenticator(enrolment.secret, stack.config.security.TOTP_DRIFT_STEPS);
  const confirmed = await post('/auth/2fa/confirm', { enrolmentToken, otp: await app.code() });
  expect(confirmed.status).toBe(200);
  return { app, recoveryCodes: enrolment.recoveryCodes, tokens: ((await confirmed.json()) as { tokens: { accessToken: string; refreshToken: string } }).tokens };
}

describe('two-factor login', () => {
  it('gives an admin without a second factor no session, only a token that enrols one', async () => {
    const user = await newUser('admin');
    const res = await login(user);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { type: string; enrolmentToken: string; accessToken?: string };
    expect(problem.type).toBe('/problems/otp-enrolment-required');
    expect(problem.accessToken).toBeUndefined();
    // The enrolment token opens nothing else.
    expect((await stack.request('/users', { token: problem.enrolmentToken })).status).toBe(401);
    expect((await post('/risk/halt', { reason: 'x' }, { token: problem.enrolmentToken })).status).toBe(401);

    const enrolled = await post('/auth/2fa/enroll', { enrolmentToken: problem.enrolmentToken });
    expect(enrolled.status).toBe(200);
    const enrolment = (await enrolled.json()) as { secret: string; otpauthUri: string; recoveryCodes: string[] };
    expect(enrolment.otpauthUri).toMatch(new RegExp(`^otpauth://totp/breeze-trader:${user.username}\\?.*secret=${enrolment.secret}`));
    expect(enrolment.recoveryCodes).toHaveLength(10);
    // Until confirmed, the admin still cannot log in.
    expect(((await (await login(user)).json()) as { type: string }).type).toBe('/problems/otp-enrolment-required');
    // The secret is kept encrypted, and never shown again.
    const [row] = await stack.db.sql<{ secretEnc: string }[]>`select secret_enc as "secretEnc" from user_totp where user_id = ${user.id}`;
    expect(row!.secretEnc).not.toContain(enrolment.secret);

    const app = new Authenticator(enrolment.secret, stack.config.security.TOTP_DRIFT_STEPS);
    const confirmed = (await (await post('/auth/2fa/confirm', { enrolmentToken: problem.enrolmentToken, otp: await app.code() })).json()) as { tokens: { accessToken: string } };
    expect((await stack.request('/users', { token: confirmed.tokens.accessToken })).status).toBe(200);
    expect(await (await stack.request('/auth/2fa', { token: confirmed.tokens.accessToken })).json()).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect((await events('TOTP_ENROLMENT_STARTED', user.username)).length).toBe(1);
    expect((await events('TOTP_ENROLLED', user.username)).length).toBe(1);
  });

  it('asks an enrolled user for the code, and refuses a wrong one or the same one twice', async () => {
    const user = await newUser('admin');
    const { app } = await enrolAdmin(user);
    const asked = await login(user);
    expect(asked.status).toBe(401);
    expect(((await asked.json()) as { type: string }).type).toBe('/problems/otp-required');

    const code = await app.code();
    expect((await login({ ...user, otp: code })).status).toBe(200);
    const replay = await login({ ...user, otp: code });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { type: string }).type).toBe('/problems/invalid-otp');
    const wrong = String((Number(await app.code()) + 1) % 1_000_000).padStart(6, '0');
    expect((await login({ ...user, otp: wrong })).status).toBe(401);
    const reasons = (await events('LOGIN_FAILED', user.username)).map((e) => e.payload.reason);
    expect(reasons).toEqual(expect.arrayContaining(['second factor code replayed', 'wrong second factor code']));
  });

  it('counts wrong codes like wrong passwords: the address is locked out, even for the right code', async () => {
    const user = await newUser('admin');
    const { app } = await enrolAdmin(user);
    const ip = '198.51.100.77';
    for (let i = 0; i < stack.config.security.LOCKOUT_THRESHOLD; i++) expect((await login({ ...user, otp: '000000' }, ip)).status).toBe(401);
    const locked = await login({ ...user, otp: await app.code() }, ip);
    expect(locked.status).toBe(423);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await events('ACCOUNT_LOCKED', user.username)).map((e) => e.payload.scope)).toEqual(['source']);
    // From another address the user still logs in.
    expect((await login({ ...user, otp: await app.code() }, '198.51.100.78')).status).toBe(200);
  });

  it('takes each recovery code once', async () => {
    const user = await newUser('admin');
    const { recoveryCodes } = await enrolAdmin(user);
    const code = recoveryCodes[3]!;
    expect((await login({ ...user, recoveryCode: code.toUpperCase() })).status).toBe(200);
    const again = await login({ ...user, recoveryCode: code });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { type: string }).type).toBe('/problems/invalid-otp');
    const [used] = await events('RECOVERY_CODE_USED', user.username);
    expect(used!.payload.recoveryCodesLeft).toBe(9);
  });

  it('lets any user turn it on with a session, and off again only with a code', async () => {
    const user = await newUser('trader');
    const { accessToken } = (await (await login(user)).json()) as { accessToken: string };
    const { secret } = (await (await post('/auth/2fa/enroll', {}, { token: accessToken })).json()) as { secret: string };
    const app = new Authenticator(secret, stack.config.security.TOTP_DRIFT_STEPS);
    const confirmed = await post('/auth/2fa/confirm', { otp: await app.code() }, { token: accessToken });
    expect(await confirmed.json()).toEqual({ enabled: true, tokens: null });
    expect(((await (await login(user)).json()) as { type: string }).type).toBe('/problems/otp-required');

    const del = (body: unknown) => stack.request('/auth/2fa', { method: 'DELETE', token: accessToken, body: JSON.stringify(body) });
    expect((await del({})).status).toBe(401);
    expect((await del({ otp: '000000' })).status).toBe(401);
    expect((await del({ otp: await app.code() })).status).toBe(204);
    expect((await login(user)).status).toBe(200);
    expect((await events('TOTP_RESET', user.username)).map((e) => e.payload.by)).toEqual(['self']);
  });

  it('counts wrong codes at a reset too: a stolen session cannot guess its way to turning it off', async () => {
    const user = await newUser('admin');
    const { app, tokens } = await enrolAdmin(user);
    const del = (otp: string) => stack.request('/auth/2fa', { method: 'DELETE', token: tokens.accessToken, ip: '198.51.100.90', body: JSON.stringify({ otp }) });
    for (let i = 0; i < stack.config.security.LOCKOUT_THRESHOLD; i++) expect((await del('000000')).status).toBe(401);
    expect((await del(await app.code())).status).toBe(423);
    expect((await events('LOGIN_FAILED', user.username)).filter((e) => e.payload.during === 'second factor reset')).toHaveLength(stack.config.security.LOCKOUT_THRESHOLD + 1);
  });

  it("lets an admin reset another user's second factor, ending that user's sessions; the user enrols again", async () => {
    const user = await newUser('admin');
    const { tokens } = await enrolAdmin(user);
    const me = (await (await stack.request('/auth/2fa', { token: admin })).json()) as { enabled: boolean };
    expect(me.enabled).toBe(true);
    const reset = await stack.request(`/users/${user.id}/2fa`, { method: 'DELETE', token: admin });
    expect(await reset.json()).toEqual({ reset: true, sessionsEnded: 1 });
    expect((await stack.request('/users', { token: tokens.accessToken })).status).toBe(401);
    expect((await post('/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401);
    expect(((await (await login(user)).json()) as { type: string }).type).toBe('/problems/otp-enrolment-required');
    const [event] = await events('TOTP_RESET', user.username);
    expect(event).toMatchObject({ actorId: stack.config.security.ADMIN_USERNAME, payload: { by: 'admin' } });
    // Not their own: that needs a code.
    const [self] = await stack.db.sql<{ id: string }[]>`select id from users where username = ${stack.config.security.ADMIN_USERNAME}`;
    expect((await stack.request(`/users/${self!.id}/2fa`, { method: 'DELETE', token: admin })).status).toBe(422);
  });
});
