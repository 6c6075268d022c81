/**
 * F&O prices over Breeze's quote stream: a future's and an option's stops are watched from ticks in
 * their contract rooms (`4.1!<token>`, the token from the F&O security master file), not from
 * REST quotes (docs/breeze-api.md#streaming-rooms, docs/breeze-api.md#security-master-file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreezeStreams } from '../../src/broker/breeze/create.ts';
import type { PriceTick } from '../../src/broker/price-feed.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import type { EmuInstrument } from '../../tools/breeze-emulator/book.ts';
import { type BreezeHarness, startBreezeHarness } from '../support/breeze.ts';
import { silentLogger } from '../support/logger.ts';
import { eventually } from '../support/trading.ts';

const FUTURE: Instrument = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' };
const OPTION: Instrument = { symbol: 'BANKNIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: 52_000_00, right: 'PUT' };
const EMU_FUTURE: EmuInstrument = { exchange: 'NFO', stockCode: 'NIFTY', product: 'futures', expiry: '2026-12-29' };
const EMU_OPTION: EmuInstrument = { exchange: 'NFO', stockCode: 'CNXBAN', product: 'options', expiry: '2026-12-29', strikePaise: 52_000_00, right: 'put' };

let harness: BreezeHarness;
let masterFiles: string;

beforeAll(async () => {
  harness = await startBreezeHarness();
  // the contracts are listed (given their tokens) before the files are written, as ICICI's daily files list them
  for (const contract of [EMU_FUTURE, EMU_OPTION]) harness.emulator.master.entryOf(contract);
  const dir = mkdtempSync(path.join(tmpdir(), 'fno-master-'));
  const files = Object.entries(harness.emulator.master.files()).map(([name, text]) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  });
  masterFiles = files.join(',');
});
afterAll(async () => harness?.stop());

describe("F&O prices on Breeze's quote stream", () => {
  it("streams a future's and an option's prices from their contract rooms, asking REST for no quote", async () => {
    const config = { ...harness.config, broker: { ...harness.config.broker, BREEZE_SECURITY_MASTER: masterFiles } };
    const streams = createBreezeStreams({ config, sql: harness.db.sql, log: silentLogger });
    const quotesBefore = harness.emulator.sent('GET', 'quotes').length;
    try {
      const seen = { future: [] as number[], option: [] as number[] };
      streams.prices.watch(FUTURE, (t: PriceTick) => seen.future.push(t.lastPricePaise));
      streams.prices.watch(OPTION, (t: PriceTick) => seen.option.push(t.lastPricePaise));
      let future = 24_500_00;
      let option = 310_00;
      await eventually(async () => {
        harness.emulator.setQuote(EMU_FUTURE, { ltpPaise: (future += 5) });
        harness.emulator.setQuote(EMU_OPTION, { ltpPaise: (option += 5) });
        return seen.future.length > 0 && seen.option.length > 0;
      }, 30_000, 'ticks of both contracts');
      expect(seen.future.at(-1)).toBeGreaterThan(24_500_00);
      expect(seen.option.at(-1)).toBeGreaterThan(310_00);
      expect(streams.prices.latest(FUTURE)?.stale).toBe(false);
      expect(harness.emulator.sent('GET', 'quotes').length).toBe(quotesBefore);
    } finally {
      await streams.prices.close();
    }
  }, 60_000);
});
