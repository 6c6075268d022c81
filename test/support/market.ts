/**
 * The market a test drives, whichever broker the stack trades through: move a price, and read the
 * orders the exchange received. On the paper exchange that is its quote table and `paper_orders`;
 * on Breeze it is the emulator's control API and its order book. A test written against
 * `stack.market` runs in both vitest projects (vitest.config.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { instrumentFields } from '../../src/broker/breeze/mapping.ts';
import { DEFAULT_STOCK_CODES } from '../../src/broker/breeze/security-master.ts';
import type { PaperExchange } from '../../src/broker/paper/exchange.ts';
import type { BrokerOrderStatus } from '../../src/broker/types.ts';
import { tagOfRemark } from '../../src/domain/strategy.ts';
import type { Instrument, Side } from '../../src/domain/trade.ts';
import type { TestDatabase } from './db.ts';
import { type EmuOrder, instrumentOf } from '../../tools/breeze-emulator/book.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';

/** The brokers a stack can trade through in tests (TEST_BROKER). */
export type TestBroker = 'paper' | 'breeze';

/** One order as the exchange received it. */
export interface ExchangeOrder {
  tag: string;
  side: Side;
  quantity: number;
  status: BrokerOrderStatus;
  filledQuantity: number;
  orderType: 'MARKET' | 'LIMIT' | 'STOP_LIMIT';
  /** A stop order's trigger (paise), as it stands now. */
  triggerPricePaise?: number | undefined;
  /** The average price of its fills, when filled. */
  averagePricePaise?: number | undefined;
  /** Breeze: the order's `user_remark` as the exchange holds it (the tag, then strategy and algo id). */
  remark?: string | undefined;
}

export interface TestMarket {
  readonly broker: TestBroker;
  /** Set the instrument's last price (paise); watchers see it as their broker delivers prices. */
  setQuote(instrument: Instrument, pricePaise: number): Promise<void>;
  /** The orders the exchange received whose tag starts with `tagPrefix` (all when absent), oldest first. */
  orders(tagPrefix?: string): Promise<ExchangeOrder[]>;
}

/** The broker of this test process: TEST_BROKER (set per vitest project), paper by default. */
export function testBroker(): TestBroker {
  const wanted = process.env.TEST_BROKER ?? 'paper';
  if (wanted !== 'paper' && wanted !== 'breeze') throw new Error(`TEST_BROKER must be paper or breeze, not ${wanted}`);
  return wanted;
}

export function paperMarket(paper: PaperExchange, db: TestDatabase): TestMarket {
  return {
    broker: 'paper',
    async setQuote(instrument, pricePaise) {
      await paper.setQuote(instrument, pricePaise);
    },
    async orders(tagPrefix = '') {
      type Row = { tag: string; side: Side; quantity: number; status: BrokerOrderStatus; filled_quantity: number; order_type: ExchangeOrder['orderType']; trigger_price_paise: string | null; average_price_paise: string | null };
      const rows = await db.sql<Row[]>`
        select tag, side, quantity, status, filled_quantity, order_type, trigger_price_paise, average_price_paise
          from paper_orders where starts_with(tag, ${tagPrefix}) order by received_at, id`;
      const paise = (v: string | null) => (v === null ? undefined : Number(v));
      return rows.map((r) => ({
        tag: r.tag,
        side: r.side,
        quantity: r.quantity,
        status: r.status,
        filledQuantity: r.filled_quantity,
        orderType: r.order_type,
        triggerPricePaise: paise(r.trigger_price_paise),
        averagePricePaise: paise(r.average_price_paise),
      }));
    },
  };
}

/** Symbols the suite trades that the emulator's built-in security master lacks (their ICICI code is the emulator's: the symbol). */
const SUITE_SYMBOLS = ['HDFCBANK', 'WIPRO', 'TCS'];

const STATUS: Record<EmuOrder['status'], BrokerOrderStatus> = { Ordered: 'OPEN', Executed: 'FILLED', Cancelled: 'CANCELLED', Expired: 'CANCELLED', Rejected: 'REJECTED' };

export interface EmulatedBreeze {
  emulator: BreezeEmulator;
  /** The settings that point a stack's broker and price feed at the emulator. */
  settings: Record<string, string>;
  market: TestMarket;
}

/**
 * A Breeze emulator for one stack, knowing the suite's symbols and `symbols`: its security master
 * is written to `dataDir` and named in BREEZE_SECURITY_MASTER, so the client finds an ICICI code and
 * a streaming token for each (docs/breeze-api.md#identifiers).
 */
export async function startEmulatedBreeze(dataDir: string, symbols: string[] = []): Promise<EmulatedBreeze> {
  const appKey = `app-${randomBytes(4).toString('hex')}`;
  const extra = [...new Set([...SUITE_SYMBOLS, ...symbols])].filter((s) => !(s in DEFAULT_STOCK_CODES));
  const emulator = await startBreezeEmulator({
    appKey,
    secretKey: 'emulator-secret',
    instruments: extra.flatMap((symbol) => ['NSE', 'BSE'].map((exchange) => ({ exchange, stockCode: symbol, symbol }))),
    // the suite's files test the system, not Breeze's budget (unit/session-budget.test.ts and breeze-rate-limit.test.ts do)
    limits: { perMinute: 100_000, perDay: 10_000_000 },
  });
  const dir = path.join(dataDir, 'security-master');
  mkdirSync(dir, { recursive: true });
  const files = Object.entries(emulator.master.files()).filter(([name]) => !name.startsWith('FO'));
  for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  const codes = new Map<string, string>([...Object.entries(DEFAULT_STOCK_CODES), ...extra.map((s) => [s, s] as [string, string])]);
  const onEmulator = (instrument: Instrument) => instrumentOf(instrumentFields(instrument, codes.get(instrument.symbol) ?? instrument.symbol));
  return {
    emulator,
    settings: {
      BROKER: 'breeze',
      BREEZE_APP_KEY: appKey,
      BREEZE_SECRET_KEY: 'emulator-secret',
      BREEZE_API_SESSION: emulator.apiSession,
      BREEZE_BASE_URL: emulator.url,
      BREEZE_LIVE_STREAM_URL: emulator.liveStreamUrl,
      BREEZE_LIVE_FEEDS_URL: emulator.liveFeedsUrl,
      BREEZE_SECURITY_MASTER: files.map(([name]) => path.join(dir, name)).join(','),
      BREEZE_TIMEOUT_MS: '2000',
      BROKER_CALLS_PER_MINUTE: '100000',
      BROKER_CALLS_PER_DAY: '10000000',
    },
    market: {
      broker: 'breeze',
      setQuote(instrument, pricePaise) {
        emulator.setQuote(onEmulator(instrument), { ltpPaise: pricePaise });
        return Promise.resolve();
      },
      orders(tagPrefix = '') {
        const orders = [...emulator.book.orders.values()].filter((o) => o.userRemark.startsWith(tagPrefix));
        orders.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
        return Promise.resolve(
          orders.map((o) => {
            const filled = o.fills.reduce((n, f) => n + f.quantity, 0);
            const value = o.fills.reduce((n, f) => n + f.quantity * f.pricePaise, 0);
            return {
              tag: tagOfRemark(o.userRemark),
              remark: o.userRemark,
              side: o.action === 'buy' ? 'BUY' : 'SELL',
              quantity: o.quantity,
              status: STATUS[o.status],
              filledQuantity: filled,
              orderType: o.orderType === 'stoploss' ? 'STOP_LIMIT' : 'LIMIT',
              triggerPricePaise: o.triggerPaise,
              averagePricePaise: filled ? Math.round(value / filled) : undefined,
            };
          }),
        );
      },
    },
  };
}
