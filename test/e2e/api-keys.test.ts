import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, TEST_IP, type TestStack } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startStack({ noWorker: true });
  admin = (await stack.login()).accessToken;
});
afterAll(async () => stack?.stop());

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  scopes: string[];
}

async function createKey(userId: string, body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await stack.request('/api-keys', { method: 'POST', token: admin, body: JSON.stringify({ name: 'algo', userId, ...body }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CreatedKey;
}

const withKey = (key: string, path: string, init: RequestInit & { ip?: string } = {}) => stack.request(path, { ...init, headers: { 'X-API-Key': key, ...(init.headers as Record<string, string>) } });
const halt = (key: string) => withKey(key, '/risk/halt', { method: 'POST', body: JSON.stringify({ reason: 'key test' }) });

describe('API keys', () => {
  it('are shown once: the list never carries the key or its hash, and records where and when each was last used', async () => {
    const trader = await stack.userWithRole('trader');
    const key = await createKey(trader.id, { scopes: ['read'] });
    expect(key.key).toMatch(/^bt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect((await withKey(key.key, '/risk/status')).status).toBe(200);
    const list = await (await stack.request('/api-keys', { token: admin })).text();
    expect(list).not.toContain(key.key);
    expect(list).not.toMatch(/keyHash|key_hash|"key"/);
    const listed = (JSON.parse(list) as { apiKeys: { id: string; lastUsedAt: string | null; lastUsedIp: string | null }[] }).apiKeys.find((k) => k.id === key.id);
    expect(listed).toMatchObject({ lastUsedIp: TEST_IP, lastUsedAt: expect.any(String) });
  });

  it('do only what their scopes allow, and never more than their user’s role', async () => {
    const adminUser = await stack.userWithRole('admin');
    const readOnly = await createKey(adminUser.id, { scopes: ['read'] });
    const refused = await halt(readOnly.key);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain("'admin' scope");

    const trader = await stack.userWithRole('trader');
    const beyond = await stack.request('/api-keys', { method: 'POST', token: admin, body: JSON.stringify({ name: 'too much', userId: trader.id, scopes: ['read', 'admin'] }) });
    expect(beyond.status).toBe(400);

    // A key keeps its scopes on paper, but loses what its user's new role no longer allows.
    const adminKey = await createKey(adminUser.id, { scopes: ['read', 'admin'] });
    expect((await withKey(adminKey.key, '/users')).status).toBe(200);
    expect((await stack.request(`/users/${adminUser.id}`, { method: 'PATCH', token: admin, body: JSON.stringify({ role: 'viewer' }) })).status).toBe(200);
    expect((await withKey(adminKey.key, '/users')).status).toBe(403);
    expect((await withKey(adminKey.key, '/risk/status')).status).toBe(200);
  });

  it('work only from their CIDRs', async () => {
    const trader = await stack.userWithRole('trader');
    const key = await createKey(trader.id, { scopes: ['read'], cidrs: ['198.51.100.0/24'] });
    const outside = await withKey(key.key, '/risk/status');
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { type: string }).type).toBe('/problems/api-key-address');
    expect((await withKey(key.key, '/risk/status', { ip: '198.51.100.20' })).status).toBe(200);
    const bad = await stack.request('/api-keys', { method: 'POST', token: admin, body: JSON.stringify({ name: 'bad', userId: trader.id, scopes: ['read'], cidrs: ['10.0.0.0/33'] }) });
    expect(bad.status).toBe(400);
  });

  it('stop working at once when revoked, audited, and when their user is disabled', async () => {
    const trader = await stack.userWithRole('trader');
    const key = await createKey(trader.id, { scopes: ['read'] });
    expect((await withKey(key.key, '/risk/status')).status).toBe(200);
    // One that differs from it in the secret part is not that key.
    const forged = `${key.key.slice(0, 20)}${key.key.at(20) === 'A' ? 'B' : 'A'}${key.key.slice(21)}`;
    expect((await withKey(forged, '/risk/status')).status).toBe(401);
    const revoked = await stack.request(`/api-keys/${key.id}`, { method: 'DELETE', token: admin });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await withKey(key.key, '/risk/status')).status).toBe(401);
    await sealAudit(stack.db.sql);
    expect(await stack.db.sql`select 1 from audit_events where event_type = 'API_KEY_REVOKED' and payload->>'keyId' = ${key.id}`).toHaveLength(1);

    const other = await stack.userWithRole('trader');
    const second = await createKey(other.id, { scopes: ['read'] });
    expect((await stack.request(`/users/${other.id}`, { method: 'PATCH', token: admin, body: JSON.stringify({ disabled: true }) })).status).toBe(200);
    expect((await withKey(second.key, '/risk/status')).status).toBe(401);
  });
});
