/**
 * The emulator's security master: which instruments exist, their streaming tokens, lot sizes and
 * tick sizes. It names the streaming rooms (`X.Y!<token>`, docs/breeze-api.md#streaming-rooms) and
 * is served as `SecurityMaster.zip` in the column layout the Python SDK reads
 * (docs/breeze-api.md#security-master-file), so the unchanged SDK can look tokens up in it.
 *
 * Only these facts here come from ICICI: RELIANCE is token `2885` and NIFTY is token `NIFTY 50`
 * (SDK README), and the ICICI codes of the exchange symbols (docs/breeze-api.md#identifiers).
 * Every other token, lot and tick below is the emulator's own default, close to the exchanges'
 * current values but not a source: tests and users set their own through `instruments`.
 * An equity the master does not know is added on first use with lot 1 and a 5-paise tick; a
 * derivative contract is added on first use with its underlying's lot, and an F&O order on an
 * underlying the master does not know is refused. Index underlyings carry NSE's freeze quantity
 * (docs/indian-market.md#freeze-quantities, effective 1 Feb 2026): an order above it is rejected, as
 * the exchange does.
 *
 * @module
 */
import { toBreezeDay } from '../../src/broker/breeze/values.ts';
import { type EmuInstrument, instrumentKey } from './book.ts';

/** One instrument as configured: an equity (NSE/BSE) or an F&O underlying (NFO/BFO). */
export interface EmuInstrumentSpec {
  exchange: string;
  /** The ICICI code (`RELIND`), as requests carry it. */
  stockCode: string;
  /** Equities only: the streaming token (made up when absent). */
  token?: string;
  /** Equities only: the exchange's own symbol (`RELIANCE`), column ExchangeCode of the file. */
  symbol?: string;
  name?: string;
  /** For NFO/BFO: the lot of every contract on this underlying. */
  lotSize?: number;
  /** For NFO/BFO: the largest quantity one order may carry (the exchange's freeze quantity); no limit when absent. */
  freezeQuantity?: number;
  tickPaise?: number;
  /** An index (quotes without bid and offer, no orders). */
  index?: boolean;
}

export interface MasterEntry {
  token: string;
  symbol: string;
  name: string;
  lotSize: number | undefined;
  freezeQuantity?: number | undefined;
  tickPaise: number;
  index: boolean;
}

const EQUITIES: EmuInstrumentSpec[] = [
  { exchange: 'NSE', stockCode: 'RELIND', token: '2885', symbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES' },
  { exchange: 'NSE', stockCode: 'NIFTY', token: 'NIFTY 50', symbol: 'NIFTY', name: 'NIFTY 50', index: true },
  { exchange: 'NSE', stockCode: 'CNXBAN', token: 'NIFTY BANK', symbol: 'BANKNIFTY', name: 'NIFTY BANK', index: true },
  { exchange: 'NSE', stockCode: 'TATSTE', token: '3499', symbol: 'TATASTEEL', name: 'TATA STEEL' },
  { exchange: 'NSE', stockCode: 'STABAN', token: '3045', symbol: 'SBIN', name: 'STATE BANK OF INDIA' },
  { exchange: 'NSE', stockCode: 'ICIBAN', token: '4963', symbol: 'ICICIBANK', name: 'ICICI BANK' },
  { exchange: 'NSE', stockCode: 'INFTEC', token: '1594', symbol: 'INFY', name: 'INFOSYS' },
  { exchange: 'NSE', stockCode: 'ITC', token: '1660', symbol: 'ITC', name: 'ITC' },
  { exchange: 'BSE', stockCode: 'RELIND', token: '500325', symbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES' },
  { exchange: 'BSE', stockCode: 'TATSTE', token: '500470', symbol: 'TATASTEEL', name: 'TATA STEEL' },
  { exchange: 'BSE', stockCode: 'STABAN', token: '500112', symbol: 'SBIN', name: 'STATE BANK OF INDIA' },
  { exchange: 'BSE', stockCode: 'ICIBAN', token: '532174', symbol: 'ICICIBANK', name: 'ICICI BANK' },
  { exchange: 'BSE', stockCode: 'INFTEC', token: '500209', symbol: 'INFY', name: 'INFOSYS' },
  { exchange: 'BSE', stockCode: 'ITC', token: '500875', symbol: 'ITC', name: 'ITC' },
  { exchange: 'BSE', stockCode: 'BSESEN', token: 'SENSEX', symbol: 'SENSEX', name: 'SENSEX', index: true },
];

const UNDERLYINGS: EmuInstrumentSpec[] = [
  { exchange: 'NFO', stockCode: 'NIFTY', lotSize: 65, freezeQuantity: 1800 },
  { exchange: 'NFO', stockCode: 'CNXBAN', lotSize: 30, freezeQuantity: 600 },
  { exchange: 'NFO', stockCode: 'NIFFIN', lotSize: 60, freezeQuantity: 1800 },
  { exchange: 'NFO', stockCode: 'NIFSEL', lotSize: 120, freezeQuantity: 2800 },
  { exchange: 'NFO', stockCode: 'RELIND', lotSize: 500 },
  { exchange: 'NFO', stockCode: 'STABAN', lotSize: 750 },
  { exchange: 'NFO', stockCode: 'INFTEC', lotSize: 400 },
  { exchange: 'NFO', stockCode: 'ICIBAN', lotSize: 700 },
  { exchange: 'NFO', stockCode: 'ITC', lotSize: 1600 },
  { exchange: 'NFO', stockCode: 'TATSTE', lotSize: 5500 },
  { exchange: 'BFO', stockCode: 'BSESEN', lotSize: 20 },
  { exchange: 'BFO', stockCode: 'BANKEX', lotSize: 30 },
];

/** The X of a live room by exchange: BSE 1, NSE and NFO 4, BFO 8 (docs/breeze-api.md#streaming-rooms). */
export const ROOM_PREFIX: Readonly<Record<string, string>> = { BSE: '1', NSE: '4', NFO: '4', BFO: '8' };

const DEFAULT_TICK_PAISE = 5;
const derivative = (i: EmuInstrument) => i.product === 'futures' || i.product === 'options';

export class SecurityMasterData {
  private readonly equities = new Map<string, MasterEntry>();
  private readonly underlyings = new Map<string, { lotSize: number; freezeQuantity?: number | undefined; tickPaise: number; name: string }>();
  private readonly contracts = new Map<string, MasterEntry & { instrument: EmuInstrument }>();
  private nextToken = { NSE: 100_001, BSE: 900_001, NFO: 35_001, BFO: 850_001 } as Record<string, number>;

  constructor(extra: EmuInstrumentSpec[] = []) {
    for (const spec of [...EQUITIES, ...UNDERLYINGS, ...extra]) this.configure(spec);
  }

  /** Add or change an instrument (later specs win). */
  configure(spec: EmuInstrumentSpec): void {
    const exchange = spec.exchange.toUpperCase();
    const stockCode = spec.stockCode.toUpperCase();
    if (exchange === 'NFO' || exchange === 'BFO') {
      const old = this.underlyings.get(`${exchange}|${stockCode}`);
      this.underlyings.set(`${exchange}|${stockCode}`, { lotSize: spec.lotSize ?? old?.lotSize ?? 1, freezeQuantity: spec.freezeQuantity ?? old?.freezeQuantity, tickPaise: spec.tickPaise ?? old?.tickPaise ?? DEFAULT_TICK_PAISE, name: spec.name ?? old?.name ?? stockCode });
      return;
    }
    const old = this.equities.get(`${exchange}|${stockCode}`);
    const entry: MasterEntry = {
      token: spec.token ?? old?.token ?? this.newToken(exchange),
      symbol: spec.symbol ?? old?.symbol ?? stockCode,
      name: spec.name ?? old?.name ?? stockCode,
      lotSize: spec.lotSize ?? old?.lotSize ?? 1,
      tickPaise: spec.tickPaise ?? old?.tickPaise ?? DEFAULT_TICK_PAISE,
      index: spec.index ?? old?.index ?? false,
    };
    this.equities.set(`${exchange}|${stockCode}`, entry);
  }

  /** The entry of an instrument, adding it on first use (lot unknown for a derivative of an unknown underlying). */
  entryOf(i: EmuInstrument): MasterEntry {
    if (!derivative(i)) {
      if (!this.equities.has(`${i.exchange}|${i.stockCode}`)) this.configure({ exchange: i.exchange, stockCode: i.stockCode });
      return this.equities.get(`${i.exchange}|${i.stockCode}`)!;
    }
    const key = instrumentKey(i);
    let contract = this.contracts.get(key);
    if (!contract) {
      const underlying = this.underlyings.get(`${i.exchange}|${i.stockCode}`);
      contract = { instrument: i, token: this.newToken(i.exchange), symbol: i.stockCode, name: underlying?.name ?? i.stockCode, lotSize: underlying?.lotSize, freezeQuantity: underlying?.freezeQuantity, tickPaise: underlying?.tickPaise ?? DEFAULT_TICK_PAISE, index: false };
      this.contracts.set(key, contract);
    }
    return contract;
  }

  /** The level-1 quote room of an instrument: `4.1!2885` (docs/breeze-api.md#streaming-rooms). */
  quoteRoom(i: EmuInstrument): string | undefined {
    const x = ROOM_PREFIX[i.exchange];
    return x ? `${x}.1!${this.entryOf(i).token}` : undefined;
  }

  /** The market-depth room (`X.2!<token>`). */
  depthRoom(i: EmuInstrument): string | undefined {
    const x = ROOM_PREFIX[i.exchange];
    return x ? `${x}.2!${this.entryOf(i).token}` : undefined;
  }

  /** The text files of SecurityMaster.zip, in the columns the SDK reads (docs/breeze-api.md#security-master-file). */
  files(): Record<string, string> {
    const q = (cells: (string | number)[]) => cells.map((c) => `"${String(c)}"`).join(',');
    const equityHeader = q(['Token', 'ShortName', 'Series', 'CompanyName', 'LotSize', 'TickSize', 'ExchangeCode']);
    const equity = (exchange: string) => [
      equityHeader,
      ...[...this.equities].filter(([k]) => k.startsWith(`${exchange}|`)).map(([k, e]) => q([e.token, k.split('|')[1]!, e.index ? 'IDX' : 'EQ', e.name, e.lotSize ?? 1, (e.tickPaise / 100).toFixed(2), e.symbol])),
    ];
    // F&O: token, -, ShortName, Series, ExpiryDate, StrikePrice, OptionType, then ours up to the name at 29
    const fno = (exchange: string) => [
      q(['Token', 'InstrumentName', 'ShortName', 'Series', 'ExpiryDate', 'StrikePrice', 'OptionType', 'LotSize', 'TickSize', ...Array<string>(20).fill(''), 'CompanyName']),
      ...[...this.contracts.values()]
        .filter((c) => c.instrument.exchange === exchange)
        .map((c) => {
          const i = c.instrument;
          const series = i.product === 'futures' ? 'FUTIDX' : 'OPTIDX';
          return q([c.token, series, i.stockCode, series, i.expiry ? toBreezeDay(i.expiry) : '', i.product === 'options' ? String((i.strikePaise ?? 0) / 100) : '0', i.product === 'options' ? (i.right === 'call' ? 'CE' : 'PE') : 'XX', c.lotSize ?? 1, (c.tickPaise / 100).toFixed(2), ...Array<string>(20).fill(''), c.name]);
        }),
    ];
    const text = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
    return { 'NSEScripMaster.txt': text(equity('NSE')), 'BSEScripMaster.txt': text(equity('BSE')), 'FONSEScripMaster.txt': text(fno('NFO')), 'FOBSEScripMaster.txt': text(fno('BFO')) };
  }

  private newToken(exchange: string): string {
    const n = this.nextToken[exchange] ?? 700_001;
    this.nextToken[exchange] = n + 1;
    return String(n);
  }
}
