import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerOutcomeUnknownError, BrokerRejectedError, BrokerSessionExpiredError, BrokerUnavailableError } from '../../src/broker/errors.ts';
import { breezeLoginOptions } from '../../src/broker/breeze/create.ts';
import { setBreezeSession } from '../../src/broker/breeze/session.ts';
import type { BrokerOrderRequest } from '../../src/broker/types.ts';
import { type BreezeHarness, newTag, RELIANCE, startBreezeHarness } from '../support/breeze.ts';

let h: BreezeHarness;
beforeAll(async () => {
  // the emulator allows 3 order actions a second, fewer than the client's budget, so its refusal shows
  h = await startBreezeHarness({ emulator: { limits: { perSecond: 3 } } });
  h.emulator.setQuote({ exchange: 'NSE', stockCode: 'RELIND', product: 'cash' }, { ltpPaise: 245000 });
});
afterAll(async () => h?.stop());

function order(tag = newTag()): BrokerOrderRequest {
  return { accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 246000 };
}

/** POST order requests the emulator received carrying `tag`. */
const sentWith = (tag: string) => h.emulator.sent('POST', 'order').filter((r) => (r.body as { user_remark?: string }).user_remark === tag);
const inBook = (tag: string) => [...h.emulator.book.orders.values()].filter((o) => o.userRemark === tag);

describe('Breeze failure modes', () => {
  it('a request signed with the wrong secret is rejected with the checksum error and places nothing', async () => {
    const wrong = h.clientWith({ BREEZE_SECRET_KEY: 'not-the-secret' });
    const o = order();
    const err = await wrong.placeOrder(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerRejectedError);
    expect((err as Error).message).toContain('Invalid Checksum');
    expect(sentWith(o.tag)).toHaveLength(1);
    expect(inBook(o.tag)).toHaveLength(0);
  });

  it('a timeout after the order reached Breeze is an unknown outcome, and the order is found by its tag', async () => {
    h.emulator.injectFault({ kind: 'timeout', method: 'POST', endpoint: 'order' });
    const o = order();
    await expect(h.client.placeOrder(o)).rejects.toBeInstanceOf(BrokerOutcomeUnknownError);
    const found = await h.client.findOrderByTag('main', o.tag, RELIANCE);
    expect(found).toMatchObject({ tag: o.tag, status: 'FILLED', filledQuantity: 1 });
    expect(sentWith(o.tag)).toHaveLength(1);
    expect(inBook(o.tag)).toHaveLength(1);
  });

  it('a connection reset after Breeze acted is an unknown outcome, settled by the tag', async () => {
    h.emulator.injectFault({ kind: 'reset', method: 'POST', endpoint: 'order' });
    const o = order();
    await expect(h.client.placeOrder(o)).rejects.toBeInstanceOf(BrokerOutcomeUnknownError);
    expect(await h.client.findOrderByTag('main', o.tag, RELIANCE)).toMatchObject({ tag: o.tag });
    expect(sentWith(o.tag)).toHaveLength(1);
  });

  it('a 502 gateway page on an order is an unknown outcome; the tag lookup shows it never arrived', async () => {
    h.emulator.injectFault({ kind: 'gateway', method: 'POST', endpoint: 'order', status: 502 });
    const o = order();
    await expect(h.client.placeOrder(o)).rejects.toBeInstanceOf(BrokerOutcomeUnknownError);
    expect(await h.client.findOrderByTag('main', o.tag, RELIANCE)).toBeUndefined();
    expect(sentWith(o.tag)).toHaveLength(1);
    expect(inBook(o.tag)).toHaveLength(0);
  });

  it('a 503 gateway page is a retryable unavailable error', async () => {
    h.emulator.injectFault({ kind: 'gateway', method: 'POST', endpoint: 'order', status: 503 });
    const o = order();
    const err = await h.client.placeOrder(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as BrokerUnavailableError).retryable).toBe(true);
    expect(sentWith(o.tag)).toHaveLength(1);
    expect(inBook(o.tag)).toHaveLength(0);
  });

  it('a gateway page on a read is unavailable, never an unknown outcome', async () => {
    h.emulator.injectFault({ kind: 'gateway', method: 'GET', endpoint: 'quotes', status: 502 });
    await expect(h.client.quote(RELIANCE)).rejects.toBeInstanceOf(BrokerUnavailableError);
  });

  it('a "Limit exceed" answer is a retryable unavailable error and places nothing', async () => {
    h.emulator.injectFault({ kind: 'rate-limit', method: 'POST', endpoint: 'order' });
    const o = order();
    const err = await h.client.placeOrder(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as Error).message).toContain('Limit exceed');
    expect(sentWith(o.tag)).toHaveLength(1);
    expect(inBook(o.tag)).toHaveLength(0);
  });

  it("Breeze's own per-second order limit refuses the excess as unavailable; each order is sent once", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // an empty second at the emulator
    const orders = Array.from({ length: 6 }, () => order());
    const results = await Promise.allSettled(orders.map((o) => h.client.placeOrder(o)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BrokerUnavailableError);
    for (const o of orders) expect(sentWith(o.tag)).toHaveLength(1);
    const placed = orders.filter((o) => inBook(o.tag).length === 1);
    expect(placed).toHaveLength(results.length - refused.length);
  });

  it('an emulator that is down gives BrokerUnavailableError, with nothing received', async () => {
    const before = h.emulator.requests.length;
    await h.emulator.down();
    try {
      await expect(h.client.placeOrder(order())).rejects.toBeInstanceOf(BrokerUnavailableError);
      await expect(h.client.quote(RELIANCE)).rejects.toBeInstanceOf(BrokerUnavailableError);
    } finally {
      await h.emulator.up();
    }
    expect(h.emulator.requests).toHaveLength(before);
    await expect(h.client.quote(RELIANCE)).resolves.toMatchObject({ lastPricePaise: 245000 });
  });

  it('an expired session stops orders with BrokerSessionExpiredError until a new day session is set', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    h.emulator.expireSessions();
    const o = order();
    await expect(h.client.placeOrder(o)).rejects.toBeInstanceOf(BrokerSessionExpiredError);
    expect(inBook(o.tag)).toHaveLength(0);

    // the operator logs in again and hands the new API_Session to the system
    await setBreezeSession(h.db.sql, breezeLoginOptions(h.config.broker), h.emulator.login());
    const again = order();
    await expect(h.client.placeOrder(again)).resolves.toMatchObject({ tag: again.tag });
    expect(inBook(again.tag)).toHaveLength(1);
  });
});
