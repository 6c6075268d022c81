import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breezeLoginOptions } from '../../src/broker/breeze/create.ts';
import { BreezeSessionProvider, exchangeApiSession, sessionDay, setBreezeSession } from '../../src/broker/breeze/session.ts';
import { decodeSessionToken } from '../../src/broker/breeze/signing.ts';
import { BrokerRejectedError, BrokerSessionExpiredError } from '../../src/broker/errors.ts';
import { loadBreezeSession } from '../../src/db/breeze-sessions.ts';
import { type BreezeHarness, newTag, RELIANCE, startBreezeHarness } from '../support/breeze.ts';

let h: BreezeHarness;
beforeAll(async () => {
  h = await startBreezeHarness({ settings: { BREEZE_API_SESSION: '' } });
  h.emulator.setQuote({ exchange: 'NSE', stockCode: 'RELIND', product: 'cash' }, { ltpPaise: 245000 });
});
afterAll(async () => h?.stop());

const login = () => breezeLoginOptions(h.config.broker);

describe('Breeze session', () => {
  it('exchanges an API_Session for a base64 user:key token through customerdetails, unsigned', async () => {
    const exchanged = await exchangeApiSession(login(), h.emulator.apiSession);
    expect(exchanged.userId).toBe('EMU00001');
    expect(decodeSessionToken(exchanged.sessionToken)).toMatchObject({ userId: 'EMU00001' });
    const request = h.emulator.sent('GET', 'customerdetails').at(-1)!;
    expect(request.body).toEqual({ SessionToken: h.emulator.apiSession, AppKey: h.config.broker.BREEZE_APP_KEY });
  });

  it('names a wrong API_Session, an unknown key and an expired session with their typed errors', async () => {
    await expect(exchangeApiSession(login(), 'nope')).rejects.toBeInstanceOf(BrokerSessionExpiredError);
    await expect(exchangeApiSession({ ...login(), appKey: 'other-key' }, h.emulator.apiSession)).rejects.toBeInstanceOf(BrokerRejectedError);
    const stale = h.emulator.login();
    h.emulator.expireSessions();
    const err = await exchangeApiSession(login(), stale).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerSessionExpiredError);
    expect((err as Error).message).toContain('Resource not available');
  });

  it('without a session for the day, orders fail with BrokerSessionExpiredError and nothing is sent', async () => {
    const before = h.emulator.sent('POST', 'order').length;
    await expect(h.client.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 })).rejects.toBeInstanceOf(BrokerSessionExpiredError);
    expect(h.emulator.sent('POST', 'order')).toHaveLength(before);
  });

  it("stores the day's session once for every worker, without the token leaving setBreezeSession", async () => {
    const apiSession = h.emulator.login();
    const result = await setBreezeSession(h.db.sql, login(), apiSession);
    expect(result).toEqual({ tradingDay: sessionDay(new Date()), userId: 'EMU00001' });
    const stored = await loadBreezeSession(h.db.sql, result.tradingDay);
    expect(stored).toMatchObject({ apiSession, userId: 'EMU00001' });

    const exchanges = h.emulator.sent('GET', 'customerdetails').length;
    const other = h.clientWith();
    await other.placeOrder({ accountId: 'main', tag: newTag(), instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 });
    await h.client.quote(RELIANCE);
    // both workers signed with the stored token: no further exchange
    expect(h.emulator.sent('GET', 'customerdetails')).toHaveLength(exchanges);
  });

  it("does not use yesterday's session on a new IST day", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000);
    const provider = new BreezeSessionProvider({ sql: h.db.sql, login: login(), now: () => tomorrow });
    await expect(provider.current()).rejects.toBeInstanceOf(BrokerSessionExpiredError);
  });

  it('exchanges BREEZE_API_SESSION at first use and shares the result through the database', async () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000);
    const apiSession = h.emulator.login();
    const first = new BreezeSessionProvider({ sql: h.db.sql, login: login(), apiSession, now: () => tomorrow });
    const second = new BreezeSessionProvider({ sql: h.db.sql, login: login(), now: () => tomorrow });
    const a = await first.current();
    expect(await second.current()).toEqual(a);
    expect(await loadBreezeSession(h.db.sql, sessionDay(tomorrow))).toEqual(a);
  });
});
