/**
 * Streaming tokens of F&O contracts, from ICICI's F&O security master files
 * (`FONSEScripMaster.txt` for NFO, `FOBSEScripMaster.txt` for BFO), read by column position as the
 * official SDK reads them (docs/breeze-api.md#security-master-file): token at 0, ICICI code at 2,
 * series at 3 (`FUT…` or `OPT…`), expiry at 4 (`DD-Mon-YYYY`), strike at 5, option type at 6.
 *
 * @module
 */
import type { Instrument } from '../../domain/trade.ts';
import { fromBreezeDay } from './values.ts';

/** The exchange an F&O master file lists, told by its name; undefined for any other file. */
export function contractFileExchange(fileName: string): 'NFO' | 'BFO' | undefined {
  const base = fileName.split(/[\\/]/).pop()?.toUpperCase() ?? '';
  return base.startsWith('FONSE') ? 'NFO' : base.startsWith('FOBSE') ? 'BFO' : undefined;
}

/**
 * The lookup key of a contract: exchange, FUT or OPT, ICICI code, expiry (YYYY-MM-DD) and, for an
 * option, the strike in paise and CE/PE. The SDK matches the file's strike text verbatim; we compare
 * numbers, so `23550` and `23550.0` are the same strike.
 */
export function contractKey(exchange: string, stockCode: string, futures: boolean, expiry: string, strikePaise?: number, right?: 'CE' | 'PE'): string {
  const head = `${exchange}|${futures ? 'FUT' : 'OPT'}|${stockCode}|${expiry}`.toUpperCase();
  return futures ? head : `${head}|${strikePaise ?? 0}|${right ?? ''}`;
}

/** The key of an instrument given its ICICI code; undefined for a cash instrument or a contract missing its expiry. */
export function instrumentContractKey(instrument: Instrument, stockCode: string): string | undefined {
  if (!instrument.expiry || (instrument.product !== 'FUTURES' && instrument.product !== 'OPTIONS')) return undefined;
  if (instrument.product === 'FUTURES') return contractKey(instrument.exchange, stockCode, true, instrument.expiry);
  return contractKey(instrument.exchange, stockCode, false, instrument.expiry, instrument.strikePaise, instrument.right === 'PUT' ? 'PE' : 'CE');
}

/**
 * The (contract key, token) pairs of an F&O master file; rows that do not parse (the header among
 * them) are skipped.
 *
 * @example
 * parseContractTokens('"35001","FUTIDX","NIFTY","FUTIDX","29-Dec-2026","0","XX"', 'FONSEScripMaster.txt')
 * // [['NFO|FUT|NIFTY|2026-12-29', '35001']]
 */
export function parseContractTokens(text: string, fileName: string): [string, string][] {
  const exchange = contractFileExchange(fileName);
  if (!exchange) return [];
  const pairs: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const [token, , code, series, expiryText, strikeText, optionType] = cells;
    const expiry = fromBreezeDay(expiryText);
    if (!token || !code || !series || !expiry) continue;
    const futures = series.toUpperCase().includes('FUT');
    const strike = Number(strikeText);
    if (!futures && !Number.isFinite(strike)) continue;
    // the SDK picks CE when the option type contains a C (docs/breeze-api.md#security-master-file)
    pairs.push([contractKey(exchange, code, futures, expiry, Math.round(strike * 100), (optionType ?? '').toUpperCase().includes('C') ? 'CE' : 'PE'), token]);
  }
  return pairs;
}
