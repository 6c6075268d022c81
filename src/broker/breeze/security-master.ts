/**
 * Exchange symbols ↔ ICICI stock codes. Breeze names instruments by ICICI's own short codes
 * (RELIANCE is `RELIND`, SBIN is `STABAN`), listed in ICICI's security master files
 * (`NSEScripMaster.txt`, `FONSEScripMaster.txt`…: column `ShortName` is the ICICI code,
 * `ExchangeCode` the exchange symbol; docs/breeze-api.md#identifiers).
 *
 * The committed map below holds only the codes the research confirmed from ICICI's own material.
 * A wrong code would send an order for another company, so an unknown symbol is refused, never
 * guessed: set BREEZE_SECURITY_MASTER to the downloaded files to trade anything else.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Instrument } from '../../domain/trade.ts';
import { BrokerRejectedError } from '../errors.ts';
import { contractFileExchange, instrumentContractKey, parseContractTokens } from './contract-tokens.ts';

/** Exchange symbol → ICICI code, confirmed in the official SDK's README and config (docs/breeze-api.md#identifiers). */
export const DEFAULT_STOCK_CODES: Readonly<Record<string, string>> = {
  RELIANCE: 'RELIND',
  TATASTEEL: 'TATSTE',
  SBIN: 'STABAN',
  ICICIBANK: 'ICIBAN',
  INFY: 'INFTEC',
  ITC: 'ITC',
  NIFTY: 'NIFTY',
  BANKNIFTY: 'CNXBAN',
  FINNIFTY: 'NIFFIN',
  MIDCPNIFTY: 'NIFSEL',
  SENSEX: 'BSESEN',
  BANKEX: 'BANKEX',
};

/**
 * Streaming tokens (`<exchange>:<symbol>` → token) confirmed in the SDK's README: RELIANCE on NSE
 * is 2885 and NIFTY is `NIFTY 50` (docs/breeze-api.md#streaming-rooms). Others come from the
 * security master files' Token column; an instrument without one is not streamed (REST fallback).
 */
export const DEFAULT_STREAM_TOKENS: Readonly<Record<string, string>> = { 'NSE:RELIANCE': '2885', 'NSE:NIFTY': 'NIFTY 50' };

export interface SecurityMaster {
  /**
   * The streaming token of an instrument, if known: a symbol on NSE or BSE (column Token of the
   * file), or an F&O contract (the F&O files, contract-tokens.ts).
   */
  streamToken(instrument: Instrument): string | undefined;
  /** The ICICI code of an exchange symbol; throws BrokerRejectedError when unknown. */
  toStockCode(symbol: string): string;
  /** The exchange symbol of an ICICI code, or the code itself when the map does not know it. */
  toSymbol(stockCode: string): string;
  readonly size: number;
}

/** A security master over a symbol → code map (the defaults, plus whatever a file added). */
export function createSecurityMaster(codes: Iterable<[string, string]>, tokens: Iterable<[string, string]> = Object.entries(DEFAULT_STREAM_TOKENS)): SecurityMaster {
  const tokenOf = new Map([...tokens].map(([k, t]) => [k.toUpperCase(), t]));
  const toCode = new Map<string, string>();
  const toSym = new Map<string, string>();
  for (const [symbol, code] of codes) {
    const s = symbol.trim().toUpperCase();
    const c = code.trim().toUpperCase();
    if (!s || !c) continue;
    toCode.set(s, c);
    if (!toSym.has(c)) toSym.set(c, s);
  }
  return {
    streamToken(instrument) {
      const code = toCode.get(instrument.symbol.toUpperCase());
      const contract = code && instrumentContractKey(instrument, code);
      if (instrument.expiry) return contract ? tokenOf.get(contract) : undefined;
      return tokenOf.get(`${instrument.exchange}:${instrument.symbol}`.toUpperCase());
    },
    toStockCode(symbol) {
      const code = toCode.get(symbol.toUpperCase());
      if (!code) throw new BrokerRejectedError(`no ICICI stock code known for ${symbol}: set BREEZE_SECURITY_MASTER to ICICI's security master files`);
      return code;
    },
    toSymbol(stockCode) {
      return toSym.get(stockCode.toUpperCase()) ?? stockCode.toUpperCase();
    },
    get size() {
      return toCode.size;
    },
  };
}

/**
 * The (symbol, code) pairs of one security master file: a comma-separated text file with a header
 * naming `ShortName` and `ExchangeCode` (quoted or not). Rows of series other than EQ lose to an EQ
 * row of the same symbol.
 *
 * @example
 * parseSecurityMaster('"Token","ShortName","Series","ExchangeCode"\n"2885","RELIND","EQ","RELIANCE"')
 * // [['RELIANCE', 'RELIND']]
 */
export function parseSecurityMaster(text: string): [string, string][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsv(lines[0] ?? '').map((h) => h.toLowerCase());
  const codeAt = header.indexOf('shortname');
  const symbolAt = header.indexOf('exchangecode');
  const seriesAt = header.indexOf('series');
  if (codeAt < 0 || symbolAt < 0) throw new Error('security master: header has no ShortName and ExchangeCode columns');
  const pairs = new Map<string, { code: string; eq: boolean }>();
  for (const line of lines.slice(1)) {
    const cells = splitCsv(line);
    const symbol = cells[symbolAt]?.toUpperCase();
    const code = cells[codeAt];
    if (!symbol || !code) continue;
    const eq = seriesAt < 0 || cells[seriesAt]?.toUpperCase() === 'EQ';
    const seen = pairs.get(symbol);
    if (!seen || (eq && !seen.eq)) pairs.set(symbol, { code, eq });
  }
  return [...pairs].map(([symbol, { code }]) => [symbol, code]);
}

/**
 * The (`<exchange>:<symbol>`, token) pairs of an NSE or BSE security master file, the exchange
 * told by the file's name (`NSEScripMaster.txt`, `BSEScripMaster.txt`), token in column Token.
 */
export function parseStreamTokens(text: string, fileName: string): [string, string][] {
  const base = fileName.split(/[\\/]/).pop()?.toUpperCase() ?? '';
  const exchange = base.startsWith('NSE') ? 'NSE' : base.startsWith('BSE') ? 'BSE' : undefined;
  if (!exchange) return [];
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsv(lines[0] ?? '').map((h) => h.toLowerCase());
  const tokenAt = header.indexOf('token');
  const symbolAt = header.indexOf('exchangecode');
  if (tokenAt < 0 || symbolAt < 0) return [];
  const pairs: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const cells = splitCsv(line);
    const symbol = cells[symbolAt]?.toUpperCase();
    const token = cells[tokenAt];
    if (symbol && token) pairs.push([`${exchange}:${symbol}`, token]);
  }
  return pairs;
}

/** One CSV line into trimmed cells; quotes removed ("" inside quotes is a quote). */
function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

const cache = new Map<string, Promise<SecurityMaster>>();

/**
 * The security master: the committed defaults plus the files of `paths` (comma-separated), read
 * once per process and cached. File entries win over the defaults.
 */
export function loadSecurityMaster(paths: string | undefined): Promise<SecurityMaster> {
  const key = paths ?? '';
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = (async () => {
      const files = key.split(',').map((p) => p.trim()).filter(Boolean);
      const texts = await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
      // the F&O files name contracts, not symbols: they give streaming tokens only
      const codes = texts.filter(({ file }) => !contractFileExchange(file)).flatMap(({ text }) => parseSecurityMaster(text));
      const tokens = texts.flatMap(({ file, text }) => (contractFileExchange(file) ? parseContractTokens(text, file) : parseStreamTokens(text, file)));
      return createSecurityMaster([...Object.entries(DEFAULT_STOCK_CODES), ...codes], [...Object.entries(DEFAULT_STREAM_TOKENS), ...tokens]);
    })();
    // a failed read is not cached: fixing the file and retrying must work without a restart
    loaded.catch(() => cache.delete(key));
    cache.set(key, loaded);
  }
  return loaded;
}
