/**
 * Data for backup tests: a few trades with their orders, fills, reservations and audit records,
 * plus quotes and paper-exchange rows, with values that stress COPY's escaping (newlines, tabs,
 * backslashes, quotes, non-ASCII, nulls, nested JSON, microsecond times).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditLog } from '../../src/audit/append.ts';
import { copyOut } from '../../src/backup/copy-out.ts';
import { pinCopyFormat } from '../../src/backup/copy-format.ts';
import { listTables } from '../../src/backup/catalog.ts';
import { RowDigest } from '../../src/backup/row-digest.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import type { Sql } from '../../src/db/pool.ts';
import { transaction } from '../../src/db/transaction.ts';

const AWKWARD = 'line one\nline\ttwo \\ back "quoted" \'single\' ₹ नमस्ते 🚀';

/**
 * Add `count` trades of `accountId` (ids start after `from`), each with an order, a fill, a
 * reservation and two audit records. Give each test file its own account: the Temporal server is
 * shared by every file, and a worker reconciling these OPEN trades halts their account through a
 * circuit-breaker workflow that outlives the file.
 */
export async function seedTrades(sql: Sql, audit: AuditLog, accountId: string, count: number, from = 0): Promise<void> {
  await ensureAccount(sql, accountId, 50_000_000);
  for (let i = from; i < from + count; i++) {
    const id = `t${String(i).padStart(15, 'a')}`;
    await transaction(sql, async (tx) => {
      await tx`
        insert into trades (id, account_id, workflow_id, request_fingerprint, requested_by, symbol, exchange, product, side,
          quantity, order_type, limit_price_paise, intraday, status, violations, filled_quantity, entry_price_paise, created_at)
        values (${id}, ${accountId}, ${`trade-${id}`}, ${'f'.repeat(64)}, ${i % 2 ? AWKWARD : 'tester'}, 'RELIANCE', 'NSE', 'CASH', 'BUY',
          ${10 + i}, 'LIMIT', ${245_050 + i}, true, 'OPEN', ${i % 3 ? null : tx.json([{ rule: 'X', message: AWKWARD, nested: { a: [1, null, 'b'] } }] as never)},
          ${10 + i}, ${245_000 + i}, ${new Date(Date.UTC(2026, 2, 12, 4, 0, 0) + i * 1_234_567)})`;
      await tx`insert into orders (tag, trade_id, account_id, leg, side, quantity, order_type, status, filled_quantity)
        values (${`${id}-E`}, ${id}, ${accountId}, 'ENTRY', 'BUY', ${10 + i}, 'LIMIT', 'FILLED', ${10 + i})`;
      await tx`insert into fills (order_tag, trade_id, account_id, broker_fill_id, quantity, price_paise, filled_at)
        values (${`${id}-E`}, ${id}, ${accountId}, ${`bf-${i}`}, ${10 + i}, ${245_000 + i}, now())`;
      await tx`insert into reservations (trade_id, account_id, instrument_key, side, quantity, notional_paise, status)
        values (${id}, ${accountId}, 'NSE:RELIANCE:CASH', 'BUY', ${10 + i}, ${(10 + i) * 245_000}, 'CONVERTED')`;
      await audit.append(tx, { type: 'TRADE_REQUESTED', actor: { type: 'user', id: 'tester' }, accountId, tradeId: id, payload: { note: AWKWARD, i } });
      await audit.append(tx, { type: 'ORDER_FILLED', actor: { type: 'system', id: 'test' }, accountId, tradeId: id, payload: { pricePaise: 245_000 + i } });
    });
  }
}

/** Rows in the other tables, including sequences moved on (fills.id, paper_order_numbers). */
export async function seedOtherTables(sql: Sql, accountId: string): Promise<void> {
  await ensureAccount(sql, accountId, 50_000_000);
  await sql`insert into risk_limit_overrides (account_id, limits, updated_by) values (${accountId}, ${sql.json({ maxOpenPositions: 5 } as never)}, 'admin')
    on conflict (account_id) do update set limits = excluded.limits`;
  await sql`insert into risk_limit_changes (account_id, old_limits, new_limits, requested_by) values (${accountId}, '{}', ${sql.json({ maxOpenPositions: 5 } as never)}, ${AWKWARD})`;
  await sql`insert into market_prices (instrument_key, price_paise, at) values ('NSE:RELIANCE:CASH', 245000, '2026-03-12T04:00:00.123456Z')
    on conflict (instrument_key) do nothing`;
  await sql`insert into paper_quotes (instrument_key, exchange, symbol, last_price_paise) values ('NSE:RELIANCE:CASH', 'NSE', 'RELIANCE', 245000)
    on conflict (instrument_key) do nothing`;
  const [n] = await sql<{ n: number }[]>`select nextval('paper_order_numbers') as n`;
  await sql`insert into paper_orders (id, account_id, tag, instrument_key, instrument, side, quantity, order_type, status)
    values (${`P${n!.n}`}, ${accountId}, 'tag', 'NSE:RELIANCE:CASH', ${sql.json({ symbol: 'RELIANCE' } as never)}, 'BUY', 1, 'MARKET', 'FILLED')`;
  await sql`insert into paper_fills (order_id, quantity, price_paise) values (${`P${n!.n}`}, 1, 245000)`;
}

/** Every backed-up table of a database, as row count and order-independent digest of its COPY text. */
export async function tableDigests(sql: Sql): Promise<Record<string, { rows: number; digest: string }>> {
  return (await sql.begin('isolation level repeatable read read only', async (tx) => {
    await pinCopyFormat(tx);
    const out: Record<string, { rows: number; digest: string }> = {};
    for (const t of await listTables(tx)) {
      const digest = new RowDigest();
      await pipeline(await copyOut(tx, t.name, t.columns), digest, new Writable({ write: (_c, _e, done) => done() }));
      out[t.name] = { rows: digest.rows, digest: digest.digest };
    }
    return out;
  })) as Record<string, { rows: number; digest: string }>;
}

export async function sequenceValues(sql: Sql): Promise<Record<string, string>> {
  const names = await sql<{ name: string }[]>`select relname::text as name from pg_class where relkind = 'S' and relnamespace = 'public'::regnamespace order by 1`;
  const out: Record<string, string> = {};
  for (const { name } of names) {
    const [row] = await sql<{ v: string }[]>`select last_value::text || '/' || is_called::text as v from ${sql(name)}`;
    out[name] = row!.v;
  }
  return out;
}
