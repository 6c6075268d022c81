/**
 * Queries of `instrument_rules` and `risk_rule_switches`.
 *
 * @module
 */
import type { InstrumentRules } from '../domain/risk/india-rules.ts';
import type { Queryable } from './pool.ts';

export async function instrumentRules(sql: Queryable, exchange: string, symbol: string, defaultTickPaise: number): Promise<InstrumentRules> {
  const [row] = await sql<{ lotSize: number | null; freezeQuantity: number | null; tickPaise: number | null }[]>`
    select lot_size as "lotSize", freeze_quantity as "freezeQuantity", tick_paise as "tickPaise"
    from instrument_rules where exchange = ${exchange} and symbol = ${symbol}`;
  return { lotSize: row?.lotSize ?? undefined, freezeQuantity: row?.freezeQuantity ?? undefined, tickPaise: row?.tickPaise ?? defaultTickPaise };
}

export async function ruleSwitchOverrides(sql: Queryable, accountId: string): Promise<Record<string, boolean>> {
  const [row] = await sql<{ switches: Record<string, boolean> }[]>`select switches from risk_rule_switches where account_id = ${accountId}`;
  return row?.switches ?? {};
}

export async function writeRuleSwitches(sql: Queryable, accountId: string, switches: Record<string, boolean>, by: string): Promise<void> {
  await sql`
    insert into risk_rule_switches (account_id, switches, updated_at, updated_by) values (${accountId}, ${sql.json(switches)}, now(), ${by})
    on conflict (account_id) do update set switches = excluded.switches, updated_at = now(), updated_by = excluded.updated_by`;
}
