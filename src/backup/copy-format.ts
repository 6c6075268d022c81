/**
 * The settings that decide how COPY prints a value. The backup and the verification compare
 * row digests of COPY text, so both pin these for their transaction rather than inherit the
 * server's or the role's defaults.
 *
 * @module
 */
import type { TxSql } from '../db/pool.ts';

const COPY_SETTINGS = {
  TimeZone: 'UTC',
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  extra_float_digits: '1',
  bytea_output: 'hex',
  // A large table may take longer than the pool's statement timeout to copy.
  statement_timeout: '0',
} as const;

export async function pinCopyFormat(tx: TxSql): Promise<void> {
  for (const [name, value] of Object.entries(COPY_SETTINGS)) {
    await tx`select set_config(${name}, ${value}, true)`;
  }
}
