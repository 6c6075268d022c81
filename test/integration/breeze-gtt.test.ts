/**
 * Breeze's GTT OCO orders through the client against the emulator (docs/breeze-api.md#gtt-orders):
 * a stop-loss and a target held by the broker as one order, one-cancels-other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerRejectedError } from '../../src/broker/errors.ts';
import type { OcoRequest } from '../../src/broker/types.ts';
import type { EmuInstrument } from '../../tools/breeze-emulator/book.ts';
import { type BreezeHarness, RELIANCE, startBreezeHarness } from '../support/breeze.ts';

const FUTURE = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' } as const;
const EMU_FUTURE: EmuInstrument = { exchange: 'NFO', stockCode: 'NIFTY', product: 'futures', expiry: '2026-12-29' };

let harness: BreezeHarness;
beforeAll(async () => {
  harness = await startBreezeHarness();
});
afterAll(async () => harness?.stop());

/** A long NIFTY future's protection: stop ₹24,400 (limit ₹24,380), target ₹24,600. */
const request = (accountId = 'acct'): OcoRequest => ({
  accountId,
  instrument: FUTURE,
  side: 'SELL',
  quantity: 65,
  stop: { triggerPricePaise: 24_400_00, limitPricePaise: 24_380_00 },
  target: { triggerPricePaise: 24_600_00, limitPricePaise: 24_600_00 },
});

describe('GTT OCO on Breeze', () => {
  it('holds stop and target as one order: the target fills, the broker cancels the stop', async () => {
    const oco = harness.client.oco;
    harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: 24_500_00 });
    const placed = await oco.placeOco(request());
    expect(placed.ocoId).toMatch(/^\d{16}$/);
    expect(await oco.getOco('acct', placed.ocoId, FUTURE)).toMatchObject({ status: 'ACTIVE', stop: request().stop, target: request().target });
    expect((await oco.findOco(request(), []))?.ocoId).toBe(placed.ocoId);
    expect(await oco.findOco(request(), [placed.ocoId])).toBeUndefined();

    harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: 24_610_00 });
    const after = await oco.getOco('acct', placed.ocoId, FUTURE);
    expect(after.status).toBe('TRIGGERED');
    expect(after.triggered?.which).toBe('TARGET');
    const order = await harness.client.getOrder('acct', after.triggered!.brokerOrderId!, FUTURE);
    expect(order).toMatchObject({ status: 'FILLED', side: 'SELL', quantity: 65 });
    // the stop leg is gone: a fall through it places nothing
    harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: 24_300_00 });
    expect([...harness.emulator.book.orders.values()].filter((o) => o.instrument.exchange === 'NFO')).toHaveLength(1);
    // cancelling what already triggered answers its state
    expect((await oco.cancelOco('acct', placed.ocoId, FUTURE)).status).toBe('TRIGGERED');
  });

  it('moves the legs of a waiting OCO and cancels it', async () => {
    const oco = harness.client.oco;
    harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: 24_500_00 });
    const placed = await oco.placeOco(request());
    const moved = await oco.modifyOco({ ...request(), stop: { triggerPricePaise: 24_450_00, limitPricePaise: 24_430_00 } }, placed.ocoId);
    expect(moved).toMatchObject({ status: 'ACTIVE', stop: { triggerPricePaise: 24_450_00, limitPricePaise: 24_430_00 } });
    expect((await oco.cancelOco('acct', placed.ocoId, FUTURE)).status).toBe('CANCELLED');
    harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: 24_000_00 });
    expect((await oco.getOco('acct', placed.ocoId, FUTURE)).status).toBe('CANCELLED');
  });

  it('is offered for F&O only, and refuses a stop on the wrong side of the target', async () => {
    expect(harness.client.oco.supportsOco(RELIANCE)).toBe(false);
    expect(harness.client.oco.supportsOco(FUTURE)).toBe(true);
    await expect(harness.client.oco.placeOco({ ...request(), stop: { triggerPricePaise: 24_700_00, limitPricePaise: 24_680_00 } })).rejects.toThrow(BrokerRejectedError);
  });
});
