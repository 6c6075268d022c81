/**
 * `npm run audit:verify`: walk the audit chain in DATABASE_URL (from the last archive boundary),
 * check it against the anchors under DATA_DIR, and show progress on long runs.
 * `npm run audit:verify -- --archive <file>` verifies an archive file alone.
 * Exit code 0 when the chain is intact, 2 when it is not.
 */
import { anchorsFile, readAnchors } from '../src/audit/anchor.ts';
import { verifyArchive } from '../src/audit/archive.ts';
import { verifyChain } from '../src/audit/verify.ts';
import { auditAnchorKey, readConfig } from '../src/config.ts';
import { createSql, poolOptions, waitForDatabase } from '../src/db/pool.ts';
import { createLogger } from '../src/config/logger.ts';
import { exitOnStartupError } from '../src/config/startup-error.ts';

async function run(): Promise<number> {
  const config = readConfig();
  const archiveIndex = process.argv.indexOf('--archive');
  if (archiveIndex > 0) {
    const file = process.argv[archiveIndex + 1];
    if (!file) throw new Error('--archive needs a file');
    const result = await verifyArchive(file);
    console.log(JSON.stringify(result, null, 2));
    return result.ok ? 0 : 2;
  }
  if (!config.database.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const log = createLogger({ ...config.process, LOG_LEVEL: 'warn' }, 'audit-verify');
  const sql = createSql(config.database.DATABASE_URL, { ...poolOptions(config.database, 'audit-verify'), max: 1, statementTimeoutMs: 0 });
  try {
    await waitForDatabase(sql, config.database.DATABASE_URL, config.database.DB_STARTUP_WAIT_S, log);
    const { anchors, invalidLines } = await readAnchors(anchorsFile(config.dataDir), auditAnchorKey(config.security));
    const started = Date.now();
    const result = await verifyChain(sql, {
      anchors,
      onProgress: (checked, head) => process.stderr.write(`\rverified ${checked} records (head ${head}) in ${((Date.now() - started) / 1000).toFixed(1)}s`),
    });
    process.stderr.write('\n');
    const ok = result.ok && invalidLines.length === 0;
    console.log(JSON.stringify({ ...result, ok, ...(invalidLines.length ? { anchorFileInvalidLines: invalidLines } : {}) }, null, 2));
    return ok ? 0 : 2;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

run().then((code) => process.exit(code), exitOnStartupError);
