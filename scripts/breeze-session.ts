/**
 * `npm run breeze:session -- <API_Session>`: set the day's Breeze session in DATABASE_URL from the
 * API_Session of ICICI's browser login, as POST /broker/session does (exchanged once, stored for
 * every worker, audited as BROKER_SESSION_SET with the trading day and the ICICI user id). For an
 * operator at a shell when the API is not at hand. Prints `{ tradingDay, userId }`, never the token.
 * Exit code 0 when set, 2 when Breeze refused the API_Session, 1 on any other failure.
 */
import path from 'node:path';
import { userInfo } from 'node:os';
import { createAuditLog } from '../src/audit/append.ts';
import { createAuditFileCopy } from '../src/audit/file-copy.ts';
import { breezeLoginOptions, createBrokerRateLimiter } from '../src/broker/breeze/create.ts';
import { setSessionAsOperator } from '../src/broker/breeze/operator-session.ts';
import { BrokerSessionExpiredError } from '../src/broker/errors.ts';
import { ConfigError, readConfig } from '../src/config.ts';
import { createSql, poolOptions, waitForDatabase } from '../src/db/pool.ts';
import { createLogger } from '../src/config/logger.ts';
import { exitOnStartupError } from '../src/config/startup-error.ts';

async function run(): Promise<number> {
  const config = readConfig();
  const apiSession = process.argv.slice(2).find((a) => a !== '--')?.trim();
  if (!apiSession) {
    console.error('usage: npm run breeze:session -- <API_Session>   (the value ICICI shows after the browser login)');
    return 64;
  }
  const needed = { DATABASE_URL: config.database.DATABASE_URL, BREEZE_APP_KEY: config.broker.BREEZE_APP_KEY };
  const missing = Object.keys(needed).filter((name) => !needed[name as keyof typeof needed]);
  if (missing.length) throw new ConfigError(missing.map((variable) => ({ variable, message: 'required to set the Breeze session' })));
  const log = createLogger({ ...config.process, LOG_LEVEL: 'warn' }, 'breeze-session');
  const sql = createSql(config.database.DATABASE_URL!, { ...poolOptions(config.database, 'breeze-session'), max: 1 });
  // the login call counts against the budget every worker shares
  const limiter = createBrokerRateLimiter(config, sql);
  try {
    await waitForDatabase(sql, config.database.DATABASE_URL!, config.database.DB_STARTUP_WAIT_S, log);
    const audit = createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log) });
    const set = await setSessionAsOperator({ sql, audit }, breezeLoginOptions(config.broker, limiter), apiSession, {
      actor: { type: 'system', id: 'breeze-session-cli' },
      via: 'cli',
      accountId: config.account.ACCOUNT_ID,
      details: { osUser: userInfo().username },
    });
    console.log(JSON.stringify(set));
    return 0;
  } catch (err) {
    if (!(err instanceof BrokerSessionExpiredError)) throw err;
    console.error('Breeze refused this API_Session: log in to ICICI again and use the new one');
    return 2;
  } finally {
    await limiter.close();
    await sql.end({ timeout: 5 });
  }
}

run().then((code) => process.exit(code), exitOnStartupError);
