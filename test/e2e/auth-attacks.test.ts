import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let viewer: Awaited<ReturnType<TestStack['userWithRole']>>;

beforeAll(async () => {
  stack = await startStack({ settings: { LOCKOUT_THRESHOLD: '3', LOGIN_FAILURES_PER_IP_HOUR: '8' } });
  viewer = await stack.userWithRole('viewer');
});
afterAll(async () => stack?.stop());

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function status(token: string) {
  return stack.request('/risk/status', { token });
}

async function expectUnauthorized(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as { status: number; instance: string };
  expect(body.status).toBe(401);
  expect(body.instance).toMatch(/^urn:request:/);
}

describe('access tokens', () => {
  it('let a logged-in user in', async () => {
    expect((await status(viewer.accessToken)).status).toBe(200);
  });

  it('are asked for, with WWW-Authenticate, when a route needs them and none came', async () => {
    const res = await stack.request('/risk/status');
    await expectUnauthorized(res.clone());
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="breeze-trader"');
    const bad = await status('a.b.c');
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('are refused in every forged or broken form', async () => {
    const [header, payload] = viewer.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const secret = stack.config.security.JWT_SECRET;
    const now = Math.floor(Date.now() / 1000);
    const forged: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'another algorithm (HS512, same secret)': await sign(claims, secret, 'HS512'),
      'a wrong key': await sign(claims, 'not-the-secret-not-the-secret-not-the-secret', 'HS256'),
      'a tampered payload': `${header}.${b64({ ...claims, role: 'admin' })}.${viewer.accessToken.split('.')[2]}`,
      expired: await sign({ ...claims, iat: now - 3600, exp: now - 1800 }, secret, 'HS256'),
      'no exp': await sign(Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'exp')), secret, 'HS256'),
      'no jti': await sign(Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'jti')), secret, 'HS256'),
      'a wrong audience': await sign({ ...claims, aud: 'someone-else' }, secret, 'HS256'),
      'a wrong issuer': await sign({ ...claims, iss: 'someone-else' }, secret, 'HS256'),
      'a lifetime longer than allowed': await sign({ ...claims, exp: now + 86_400 }, secret, 'HS256'),
      'a refresh token used as an access token': viewer.refreshToken,
    };
    for (const [what, token] of Object.entries(forged)) {
      const res = await status(token);
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer /);
      await expectUnauthorized(res);
    }
  });

  it('are refused with another scheme than Bearer', async () => {
    const res = await stack.request('/risk/status', { headers: { Authorization: `Basic ${viewer.accessToken}` } });
    await expectUnauthorized(res);
  });

  it('stop working at once when the session logs out', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    expect((await status(tokens.accessToken)).status).toBe(200);
    expect((await stack.request('/auth/logout', { method: 'POST', token: tokens.accessToken })).status).toBe(204);
    await expectUnauthorized(await status(tokens.accessToken));
    await expectUnauthorized(await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) }));
  });

  it('stop working at once when an admin revokes the user sessions', async () => {
    const user = await stack.userWithRole('trader');
    const admin = await stack.login();
    expect((await status(user.accessToken)).status).toBe(200);
    const res = await stack.request(`/users/${user.id}/sessions`, { method: 'DELETE', token: admin.accessToken });
    expect(res.status).toBe(200);
    await expectUnauthorized(await status(user.accessToken));
  });

  it('stop working when the user is disabled', async () => {
    const user = await stack.userWithRole('trader');
    const admin = await stack.login();
    await stack.request(`/users/${user.id}`, { method: 'PATCH', token: admin.accessToken, body: JSON.stringify({ disabled: true }) });
    await expectUnauthorized(await status(user.accessToken));
    expect((await stack.request('/auth/login', { method: 'POST', body: JSON.stringify({ username: user.username, password: user.password }) })).status).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('rotate on every use', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    const res = await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) });
    expect(res.status).toBe(200);
    const next = (await res.json()) as { accessToken: string; refreshToken: string };
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect((await status(next.accessToken)).status).toBe(200);
  });

  it('used twice revoke the whole session, and the reuse is audited', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    const first = await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) });
    const rotated = (await first.json()) as { accessToken: string; refreshToken: string };
    const replay = await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) });
    await expectUnauthorized(replay);
    // The thief's replay ended the session: the legitimate new pair is dead too.
    await expectUnauthorized(await status(rotated.accessToken));
    await expectUnauthorized(await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: rotated.refreshToken }) }));
    await sealAudit(stack.db.sql);
    const [audit] = await stack.db.sql`select count(*)::int as n from audit_events where event_type = 'REFRESH_REUSE_DETECTED'`;
    expect(audit!.n).toBeGreaterThanOrEqual(1);
  });

  it('cannot be an access token, nor an access token a refresh token', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    await expectUnauthorized(await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.accessToken }) }));
  });
});

describe('session timeouts', () => {
  it('end a session idle past the idle timeout', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    await stack.db.admin`update sessions set last_seen_at = now() - interval '31 minutes' where revoked_at is null and user_id = ${viewer.id} and created_at > now() - interval '5 seconds'`;
    await expectUnauthorized(await status(tokens.accessToken));
    await expectUnauthorized(await stack.request('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: tokens.refreshToken }) }));
  });

  it('end a session past its absolute lifetime however active it is', async () => {
    const tokens = await stack.login(viewer.username, viewer.password);
    await stack.db.admin`update sessions set absolute_expires_at = now() - interval '1 second' where revoked_at is null and user_id = ${viewer.id} and created_at > now() - interval '5 seconds'`;
    await expectUnauthorized(await status(tokens.accessToken));
  });

  it('never run past the end of the IST trading day', async () => {
    await stack.login(viewer.username, viewer.password);
    const [row] = await stack.db.sql<{ ends: Date }[]>`select absolute_expires_at as ends from sessions where user_id = ${viewer.id} order by created_at desc limit 1`;
    const istMidnightAfter = (d: Date) => {
      const ist = new Date(d.getTime() + 330 * 60_000);
      return Date.UTC(ist.getUTCFullYear(), ist.getUTCMonth(), ist.getUTCDate() + 1) - 330 * 60_000;
    };
    expect(row!.ends.getTime()).toBeLessThanOrEqual(istMidnightAfter(new Date()));
  });
});

describe('lockout', () => {
  const loginAs = (user: { username: string }, password: string, ip: string) => stack.request('/auth/login', { method: 'POST', ip, body: JSON.stringify({ username: user.username, password }) });
  /** Let time pass for an address's failures against a user (as if the lock they earned had run out). */
  const ageFailures = async (user: { username: string }, ip: string, seconds: number) => {
    await stack.db.admin`update login_failures set at = at - ${seconds} * interval '1 second' where username = ${user.username} and client_ip = ${ip}`;
    await stack.db.admin`update users set failures_since = failures_since - ${seconds} * interval '1 second' where username = ${user.username}`;
  };
  async function lockEvents(user: { username: string }) {
    await sealAudit(stack.db.sql);
    return stack.db.sql<{ payload: { scope: string; ip?: string } }[]>`select payload from audit_events where event_type = 'ACCOUNT_LOCKED' and payload->>'user' = ${user.username} order by seq`;
  }

  it('locks the failing address out after repeated failures, with 423 and Retry-After, even for the right password', async () => {
    const user = await stack.userWithRole('trader');
    for (let i = 0; i < 3; i++) expect((await loginAs(user, 'wrong-password-123', '198.51.100.7')).status).toBe(401);
    const locked = await loginAs(user, user.password, '198.51.100.7');
    expect(locked.status).toBe(423);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(stack.config.security.LOCKOUT_BASE_S * 0.9);
    expect((await lockEvents(user)).map((e) => e.payload)).toMatchObject([{ scope: 'source', ip: '198.51.100.7' }]);
    // The user, from their own address, is not locked out by someone else's failures.
    expect((await loginAs(user, user.password, '198.51.100.8')).status).toBe(200);
  });

  it('counts a wrong current password in a password change like a failed login: a stolen token cannot guess it', async () => {
    const user = await stack.userWithRole('trader');
    const change = (currentPassword: string) =>
      stack.request('/auth/password', { method: 'POST', token: user.accessToken, ip: '198.51.100.70', body: JSON.stringify({ currentPassword, newPassword: 'a-brand-new-passphrase-42' }) });
    for (let i = 0; i < 3; i++) expect((await change(`guess-number-${i}`)).status).toBe(401);
    expect((await change(user.password)).status).toBe(423);
    expect((await lockEvents(user)).map((e) => e.payload)).toMatchObject([{ scope: 'source', ip: '198.51.100.70' }]);
    await sealAudit(stack.db.sql);
    const failed = await stack.db.sql`select payload from audit_events where event_type = 'LOGIN_FAILED' and actor_id = ${user.username} order by seq`;
    expect(failed.map((f) => f.payload.during)).toEqual(['password change', 'password change', 'password change', 'password change']);
    // The password is unchanged.
    expect((await loginAs(user, user.password, '198.51.100.71')).status).toBe(200);
  });

  it('makes each further lock of an address last longer', async () => {
    const user = await stack.userWithRole('trader');
    const ip = '198.51.100.9';
    for (let i = 0; i < 3; i++) await loginAs(user, 'wrong-password-123', ip);
    await ageFailures(user, ip, stack.config.security.LOCKOUT_BASE_S + 1);
    for (let i = 0; i < 3; i++) expect((await loginAs(user, 'wrong-password-123', ip)).status).toBe(401);
    const second = await loginAs(user, user.password, ip);
    expect(second.status).toBe(423);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(stack.config.security.LOCKOUT_BASE_S * 1.9);
  });

  it('cannot keep a user out from one address, however patiently it guesses', async () => {
    const user = await stack.userWithRole('trader');
    const attacker = '198.51.100.10';
    for (let round = 1; round <= 4; round++) {
      // Three guesses each time the previous lock has run out: never enough for the block list.
      for (let i = 0; i < 3; i++) await loginAs(user, `guess-${round}-${i}-password`, attacker);
      expect((await loginAs(user, user.password, attacker)).status).toBe(423);
      expect((await loginAs(user, user.password, '198.51.100.11')).status).toBe(200);
      await ageFailures(user, attacker, stack.config.security.LOCKOUT_MAX_S + 1);
    }
    const [row] = await stack.db.sql<{ lockedUntil: Date | null }[]>`select locked_until as "lockedUntil" from users where id = ${user.id}`;
    expect(row!.lockedUntil).toBeNull();
  });

  it('locks the account for every address when failures come from several', async () => {
    const user = await stack.userWithRole('trader');
    // Guesses from three addresses, none with enough for a lock of its own: the failures of all but
    // the worst address reach the threshold (3) with the fifth.
    for (const ip of ['203.0.113.21', '203.0.113.21', '203.0.113.22', '203.0.113.22', '203.0.113.23']) {
      expect((await loginAs(user, 'wrong-password-123', ip)).status).toBe(401);
    }
    const elsewhere = await loginAs(user, user.password, '203.0.113.24');
    expect(elsewhere.status).toBe(423);
    expect((await lockEvents(user)).map((e) => e.payload.scope)).toEqual(['account']);
    // The lock runs out; a good login starts the count over.
    await stack.db.admin`update users set locked_until = now() - interval '1 second' where id = ${user.id}`;
    expect((await loginAs(user, user.password, '203.0.113.24')).status).toBe(200);
    expect((await loginAs(user, 'wrong-password-123', '203.0.113.21')).status).toBe(401);
    expect((await loginAs(user, user.password, '203.0.113.21')).status).toBe(200);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const unknown = await stack.request('/auth/login', { method: 'POST', ip: '198.51.100.20', body: JSON.stringify({ username: 'nobody-here', password: 'whatever-it-is' }) });
    const wrong = await stack.request('/auth/login', { method: 'POST', ip: '198.51.100.20', body: JSON.stringify({ username: viewer.username, password: 'whatever-it-is' }) });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const [a, b] = [(await unknown.json()) as { detail: string; type: string }, (await wrong.json()) as { detail: string; type: string }];
    expect(a.detail).toBe(b.detail);
    expect(a.type).toBe(b.type);
  });

  it('blocks an IP that keeps failing, so one address cannot keep an account locked', async () => {
    const victim = await stack.userWithRole('trader');
    const attacker = '192.0.2.66';
    for (let i = 0; i < 8; i++) {
      await stack.request('/auth/login', { method: 'POST', ip: attacker, body: JSON.stringify({ username: victim.username, password: `guess-${i}-password` }) });
    }
    // The block reaches every replica's cache through NOTIFY, within moments.
    let blocked: Response | undefined;
    for (let i = 0; i < 20 && blocked?.status !== 403; i++) {
      if (i) await new Promise((r) => setTimeout(r, 50));
      blocked = await stack.request('/auth/login', { method: 'POST', ip: attacker, body: JSON.stringify({ username: victim.username, password: victim.password }) });
    }
    if (!blocked) throw new Error('no answer');
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as { type: string }).type).toBe('/problems/ip-blocked');
    // The victim logs in from elsewhere while the attacker stays blocked.
    expect((await stack.request('/auth/login', { method: 'POST', ip: '198.51.100.99', body: JSON.stringify({ username: victim.username, password: victim.password }) })).status).toBe(200);
    await sealAudit(stack.db.sql);
    const audit = await stack.db.sql`select 1 from audit_events where event_type = 'IP_BLOCKED' and client_ip = ${attacker}`;
    expect(audit).toHaveLength(1);
  });
});

describe('administration', () => {
  it('always keeps an enabled admin: of two admins demoting each other at once one wins, and the last cannot step down', async () => {
    const first = await stack.login();
    const [firstUser] = await stack.db.sql<{ id: string }[]>`select id from users where username = ${stack.config.security.ADMIN_USERNAME}`;
    const other = await stack.userWithRole('admin');
    const demote = (token: string, id: string) => stack.request(`/users/${id}`, { method: 'PATCH', token, body: JSON.stringify({ role: 'viewer' }) });
    const statuses = (await Promise.all([demote(first.accessToken, other.id), demote(other.accessToken, firstUser!.id)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 422]);
    const admins = await stack.db.sql<{ id: string }[]>`select id from users where account_id = ${stack.config.account.ACCOUNT_ID} and role = 'admin' and not disabled`;
    expect(admins).toHaveLength(1);

    const last = admins[0]!.id === other.id ? other : first;
    const selfDisable = await stack.request(`/users/${admins[0]!.id}`, { method: 'PATCH', token: last.accessToken, body: JSON.stringify({ disabled: true }) });
    expect(selfDisable.status).toBe(422);
    expect(((await selfDisable.json()) as { type: string }).type).toBe('/problems/last-admin');
    expect(await stack.db.sql`select 1 from users where id = ${admins[0]!.id} and role = 'admin' and not disabled`).toHaveLength(1);
  });
});
