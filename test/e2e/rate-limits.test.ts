import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { createApiDeps } from '../../src/api-process/create-api-deps.ts';
import { createSql } from '../../src/db/pool.ts';
import { testConfig } from '../support/config.ts';
import { silentLogger } from '../support/logger.ts';
import { startStack, type TestStack, type Tokens } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';
import { securitySettings } from '../../src/config/sections/security.ts';

const AUTH_DEFAULT = securitySettings.shape.RATE_LIMIT_AUTH.parse(undefined);

describe.each([
  ['PostgreSQL', {}],
  ['Redis', { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bt-test-${randomBytes(4).toString('hex')}:` }],
])('rate limits with state in %s', (_store, extra: Record<string, string>) => {
  let stack: TestStack;
  let viewer: Tokens & { id: string };

  beforeAll(async () => {
    // Redis keys are shared by test files: a prefix of this run keeps them apart.
    stack = await startStack({
      noWorker: true,
      // The auth class at its production default (the test stack raises it for logins).
      settings: { RATE_LIMIT_READ: '3,6,1000,10000', RATE_LIMIT_AUTH: AUTH_DEFAULT, RATE_LIMIT_ABUSE_THRESHOLD: '4', IP_BLOCK_S: '60', ...extra },
    });
    viewer = await stack.userWithRole('viewer');
  });
  afterAll(async () => stack?.stop());

  it('trips the burst tier with a problem+json 429, Retry-After and the RateLimit headers', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await stack.request('/risk/status', { token: viewer.accessToken, ip: '198.51.100.1' }));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = results[3]!;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-policy')).toBe('"burst";q=3;w=1, "minute";q=6;w=60, "hour";q=1000;w=3600, "day";q=10000;w=86400');
    expect(refused.headers.get('ratelimit')).toMatch(/^"burst";r=0;t=\d+$/);
    const body = (await refused.json()) as { type: string; 'violated-policies': string[] };
    expect(body.type).toBe('https://iana.org/assignments/http-problem-types#quota-exceeded');
    expect(body['violated-policies']).toContain('burst');
    expect(results[0]!.headers.get('ratelimit')).toMatch(/^"(burst|minute)";r=\d+;t=\d+$/);
  });

  it('trips the minute tier once the burst window has passed', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await stack.request('/risk/status', { token: viewer.accessToken })).status);
      await new Promise((r) => setTimeout(r, 350));
    }
    // 3 + the earlier 3 used up the minute's 6; the burst tier never tripped at this pace.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    const last = await stack.request('/risk/status', { token: viewer.accessToken });
    expect(((await last.json()) as { 'violated-policies': string[] })['violated-policies']).toContain('minute');
  });

  it('blocks an abusive IP, audits it, and an admin can lift the block', async () => {
    const abuser = '192.0.2.200';
    let blocked: Response | undefined;
    for (let i = 0; i < 20 && blocked?.status !== 403; i++) {
      blocked = await stack.request('/health/ready', { ip: abuser });
      blocked = await stack.request('/auth/login', { method: 'POST', ip: abuser, body: JSON.stringify({ username: 'x', password: 'y' }) });
      if (blocked.status !== 403) blocked = await stack.request('/trades', { ip: abuser, token: viewer.accessToken });
    }
    expect(blocked!.status).toBe(403);
    await sealAudit(stack.db.sql);
    const audit = await stack.db.sql`select event_type from audit_events where client_ip = ${abuser} and event_type in ('RATE_LIMIT_BLOCK', 'IP_BLOCKED')`;
    expect(audit.map((r) => r.event_type).sort()).toEqual(['IP_BLOCKED', 'RATE_LIMIT_BLOCK']);

    const admin = await stack.login();
    const list = (await (await stack.request('/security/ip-blocks', { token: admin.accessToken, ip: '10.0.0.1' })).json()) as { blocks: { ip: string }[] };
    expect(list.blocks.map((b) => b.ip)).toContain(abuser);
    expect((await stack.request(`/security/ip-blocks/${abuser}`, { method: 'DELETE', token: admin.accessToken, ip: '10.0.0.1' })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 100));
    expect((await stack.request('/health', { ip: abuser })).status).toBe(200);
  });

  it('counts bad credentials per address: a flood of bad tokens and keys is throttled, then blocked', async () => {
    const guesser = '192.0.2.210';
    const statuses: number[] = [];
    for (let i = 0; i < 30 && statuses.at(-1) !== 403; i++) {
      const headers: Record<string, string> = i % 2 ? { 'X-API-Key': `bt_${'0'.repeat(12)}_${'A'.repeat(43)}` } : { Authorization: 'Bearer a.b.c' };
      statuses.push((await stack.request('/risk/status', { ip: guesser, headers })).status);
    }
    // The auth class allows 5 a second by default: then 429s, which count as abuse (threshold 4).
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(403);
    await sealAudit(stack.db.sql);
    const audit = await stack.db.sql`select 1 from audit_events where client_ip = ${guesser} and event_type = 'IP_BLOCKED'`;
    expect(audit).toHaveLength(1);
    // A good caller elsewhere is not affected (a fresh one: the tests above spent the viewer's reads).
    const other = await stack.userWithRole('viewer');
    expect((await stack.request('/risk/status', { token: other.accessToken, ip: '192.0.2.211' })).status).toBe(200);
  });

  it("keeps bad credentials in a bucket of their own: a client's stale tokens do not use up its logins", async () => {
    const client = '192.0.2.220';
    const user = await stack.userWithRole('viewer');
    for (let i = 0; i < 5; i++) expect((await stack.request('/risk/status', { ip: client, headers: { Authorization: 'Bearer x.y.z' } })).status).toBe(401);
    const login = await stack.request('/auth/login', { method: 'POST', ip: client, body: JSON.stringify({ username: user.username, password: user.password }) });
    expect(login.status).toBe(200);
  });

  it('lets a block expire on its own', async () => {
    const ip = '192.0.2.201';
    await stack.db.sql`insert into ip_blocks (ip, reason, expires_at, blocked_by) values (${ip}, 'test', now() + interval '1 second', 'test')`;
    await stack.db.sql`select pg_notify('ip_blocks_changed', ${ip})`;
    await new Promise((r) => setTimeout(r, 100));
    // Health probes skip the block list (they touch nothing); any other route shows the block.
    expect((await stack.request('/risk/status', { ip })).status).toBe(403);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await stack.request('/risk/status', { ip })).status).toBe(401);
  });

  it('trips the hour and the day tiers too, each named in the refusal', async () => {
    for (const [tier, spec, allowed] of [['hour', '1000,1000,3,1000', 3], ['day', '1000,1000,1000,2', 2]] as const) {
      const deps = await createApiDeps({ ...stack.config, security: { ...stack.config.security, RATE_LIMIT_READ: spec } }, silentLogger, stack.db.sql, stack.client);
      const app = createApp(deps);
      const fresh = await stack.userWithRole('viewer');
      try {
        const statuses: number[] = [];
        let last: Response | undefined;
        for (let i = 0; i <= allowed; i++) {
          last = await app.request('/risk/status', { headers: { Authorization: `Bearer ${fresh.accessToken}` } }, { incoming: { socket: { remoteAddress: '198.51.100.40' } } });
          statuses.push(last.status);
        }
        expect(statuses, tier).toEqual([...Array<number>(allowed).fill(200), 429]);
        expect(((await last!.json()) as { 'violated-policies': string[] })['violated-policies'], tier).toEqual([tier]);
        expect(Number(last!.headers.get('retry-after')), tier).toBeGreaterThan(60);
      } finally {
        await deps.close();
      }
    }
  });

  it('shares one budget between two API processes', async () => {
    // A second app with its own pool and its own limiter over the same database: another replica,
    // configured like the first one (replicas share the signing key, or tokens would not pass).
    const { JWT_SECRET, ADMIN_PASSWORD } = stack.config.security;
    const config = testConfig({ DATABASE_URL: stack.db.url, JWT_SECRET, ADMIN_PASSWORD, RATE_LIMIT_READ: '1000,4,1000,10000', ...extra });
    const deps1 = await createApiDeps({ ...stack.config, security: { ...stack.config.security, RATE_LIMIT_READ: '1000,4,1000,10000' } }, silentLogger, stack.db.sql, stack.client);
    const otherPool = createSql(stack.db.url, { max: 2, idleTimeoutS: 5, connectTimeoutS: 5, statementTimeoutMs: 10_000, applicationName: 'replica-2' });
    const deps2 = await createApiDeps(config, silentLogger, otherPool, stack.client);
    const apps = [createApp(deps1), createApp(deps2)];
    const fresh = await stack.userWithRole('viewer');
    try {
      const statuses = [];
      for (let i = 0; i < 8; i++) {
        const res = await apps[i % 2]!.request('/risk/status', { headers: { Authorization: `Bearer ${fresh.accessToken}` } }, { incoming: { socket: { remoteAddress: '198.51.100.30' } } });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    } finally {
      await deps1.close();
      await deps2.close();
      await otherPool.end();
    }
  });
});
