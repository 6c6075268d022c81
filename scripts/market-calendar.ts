/**
 * Load a year's exchange calendar from the file NSE publishes (docs/indian-market.md#the-calendar-as-data):
 *
 *   node --import tsx scripts/market-calendar.ts load <year> <file.json> [NSE|BSE]
 *
 * Same checks and audit record as PUT /market/calendar/{year}: a bad file is refused whole and
 * nothing changes (exit code 2). Without an exchange, NSE and BSE are loaded.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import { CALENDAR_EXCHANGES, loadMarketCalendar } from '../src/api/services/market-calendar.ts';
import { createAuditLog } from '../src/audit/append.ts';
import { createAuditFileCopy } from '../src/audit/file-copy.ts';
import { readConfig } from '../src/config.ts';
import { createLogger } from '../src/config/logger.ts';
import { exitOnStartupError } from '../src/config/startup-error.ts';
import { createSql, poolOptions, waitForDatabase } from '../src/db/pool.ts';
import { AppError } from '../src/domain/errors.ts';

const USAGE = 'usage: scripts/market-calendar.ts load <year> <file.json> [NSE|BSE]';

async function run(): Promise<number> {
  const [command, yearText, file, exchange] = process.argv.slice(2);
  const year = Number(yearText);
  if (command !== 'load' || !Number.isInteger(year) || year < 2000 || year > 2100 || !file) throw new Error(USAGE);
  const exchanges = exchange === undefined ? CALENDAR_EXCHANGES : CALENDAR_EXCHANGES.filter((e) => e === exchange);
  if (!exchanges.length) throw new Error(USAGE);
  const config = readConfig();
  if (!config.database.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const log = createLogger({ ...config.process, LOG_LEVEL: 'warn' }, 'market-calendar');
  const document: unknown = JSON.parse(await readFile(file, 'utf8'));
  const sql = createSql(config.database.DATABASE_URL, { ...poolOptions(config.database, 'market-calendar'), max: 1 });
  try {
    await waitForDatabase(sql, config.database.DATABASE_URL, config.database.DB_STARTUP_WAIT_S, log);
    const audit = createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log) });
    const result = await loadMarketCalendar(sql, audit, { year, document, exchanges, source: `file ${path.basename(file)}`, actor: { type: 'system', id: `cli:${userInfo().username}` } });
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.error(JSON.stringify({ refused: err.message, ...(err.extensions ?? {}) }, null, 2));
    return 2;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

run().then((code) => process.exit(code), exitOnStartupError);
