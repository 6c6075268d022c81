/**
 * Queries of `reconciliation_mismatches` (migration 0050) and of the parts of our book the
 * reconciliation compares: trades and legs not yet final.
 *
 * @module
 */
import { difference, type Finding, type MismatchKind, type OurBook } from '../domain/reconciliation.ts';
import type { Instrument } from '../domain/trade.ts';
import type { Queryable, TxSql } from './pool.ts';

export interface MismatchRow {
  id: number;
  accountId: string;
  instrumentKey: string;
  instrument: Instrument;
  kind: MismatchKind;
  ref: string;
  ours: number;
  theirs: number;
  details: Record<string, unknown>;
  detectedAt: Date;
  lastSeenAt: Date;
  clearedAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

const selectMismatch = (sql: Queryable) => sql`
  select id, account_id as "accountId", instrument_key as "instrumentKey", instrument, kind, ref,
    ours, theirs, details, detected_at as "detectedAt", last_seen_at as "lastSeenAt",
    cleared_at as "clearedAt", resolved_at as "resolvedAt", resolved_by as "resolvedBy", resolution_note as "resolutionNote"
  from reconciliation_mismatches`;

/** Instruments with an unresolved mismatch: the risk check refuses entries there. */
export async function lockedInstruments(sql: Queryable, accountId: string): Promise<string[]> {
  const rows = await sql<{ key: string }[]>`
    select distinct instrument_key as key from reconciliation_mismatches where account_id = ${accountId} and resolved_at is null order by 1`;
  return rows.map((r) => r.key);
}

/** Instruments of mismatches the books have not yet been seen to agree on (open, or accepted). */
export async function watchedInstruments(sql: Queryable, accountId: string): Promise<Instrument[]> {
  const rows = await sql<{ instrument: Instrument }[]>`
    select distinct on (instrument_key) instrument from reconciliation_mismatches
    where account_id = ${accountId} and (resolved_at is null or cleared_at is null)`;
  return rows.map((r) => r.instrument);
}

export type MismatchFilter = 'open' | 'resolved' | 'all';

export async function listMismatches(sql: Queryable, accountId: string, filter: MismatchFilter, limit: number): Promise<MismatchRow[]> {
  return sql<MismatchRow[]>`
    ${selectMismatch(sql)}
    where account_id = ${accountId}
      ${filter === 'open' ? sql`and resolved_at is null` : filter === 'resolved' ? sql`and resolved_at is not null` : sql``}
    order by detected_at desc, id desc limit ${limit}`;
}

export async function lockMismatch(tx: TxSql, accountId: string, id: number): Promise<MismatchRow | undefined> {
  const [row] = await tx<MismatchRow[]>`${selectMismatch(tx)} where id = ${id} and account_id = ${accountId} for update`;
  return row;
}

export async function markResolved(tx: TxSql, id: number, resolvedBy: string, note: string): Promise<MismatchRow> {
  await tx`
    update reconciliation_mismatches set resolved_at = now(), resolved_by = ${resolvedBy}, resolution_note = ${note}
    where id = ${id} and resolved_at is null`;
  const [row] = await tx<MismatchRow[]>`${selectMismatch(tx)} where id = ${id}`;
  if (!row) throw new Error(`mismatch ${id} vanished`);
  return row;
}

/** How a round's finding stands against what is recorded. */
export type FindingState = 'NEW' | 'OPEN' | 'ACCEPTED';

/**
 * Record one finding (in the caller's transaction, with the account row locked): a new row, or
 * the open row of the same difference brought up to date, or nothing when a resolution accepted
 * this very difference and the books have not agreed since.
 */
export async function recordFinding(tx: TxSql, accountId: string, f: Finding, at: Date): Promise<{ state: FindingState; row: MismatchRow }> {
  const same = sqlSame(tx, accountId, f);
  const [open] = await tx<MismatchRow[]>`${selectMismatch(tx)} where ${same} and resolved_at is null for update`;
  if (open) {
    await tx`
      update reconciliation_mismatches set ours = ${f.ours}, theirs = ${f.theirs}, details = ${tx.json(f.details as never)},
        last_seen_at = ${at}, cleared_at = null
      where id = ${open.id}`;
    return { state: 'OPEN', row: { ...open, ours: f.ours, theirs: f.theirs, details: f.details, lastSeenAt: at, clearedAt: null } };
  }
  const [accepted] = await tx<MismatchRow[]>`
    ${selectMismatch(tx)} where ${same} and resolved_at is not null and cleared_at is null
    order by resolved_at desc limit 1`;
  if (accepted && difference(accepted) === difference(f)) {
    await tx`update reconciliation_mismatches set last_seen_at = ${at} where id = ${accepted.id}`;
    return { state: 'ACCEPTED', row: { ...accepted, lastSeenAt: at } };
  }
  const [row] = await tx<MismatchRow[]>`
    insert into reconciliation_mismatches (account_id, instrument_key, instrument, kind, ref, ours, theirs, details, detected_at, last_seen_at)
    values (${accountId}, ${f.instrumentKey}, ${tx.json(f.instrument as never)}, ${f.kind}, ${f.ref}, ${f.ours}, ${f.theirs},
      ${tx.json(f.details as never)}, ${at}, ${at})
    returning id, account_id as "accountId", instrument_key as "instrumentKey", instrument, kind, ref,
      ours, theirs, details, detected_at as "detectedAt", last_seen_at as "lastSeenAt",
      cleared_at as "clearedAt", resolved_at as "resolvedAt", resolved_by as "resolvedBy", resolution_note as "resolutionNote"`;
  if (!row) throw new Error('mismatch insert returned nothing');
  return { state: 'NEW', row };
}

/** Mark the recorded differences of checked instruments that this round did not find again. */
export async function clearAbsent(tx: TxSql, accountId: string, checked: string[], found: Finding[], at: Date): Promise<number> {
  if (!checked.length) return 0;
  const rows = await tx<{ id: number; kind: string; instrumentKey: string; ref: string }[]>`
    select id, kind, instrument_key as "instrumentKey", ref from reconciliation_mismatches
    where account_id = ${accountId} and cleared_at is null and instrument_key = any(${checked})`;
  const seen = new Set(found.map((f) => `${f.kind}|${f.instrumentKey}|${f.ref}`));
  const gone = rows.filter((r) => !seen.has(`${r.kind}|${r.instrumentKey}|${r.ref}`)).map((r) => r.id);
  if (gone.length) await tx`update reconciliation_mismatches set cleared_at = ${at} where id = any(${gone})`;
  return gone.length;
}

function sqlSame(tx: TxSql, accountId: string, f: Finding) {
  return tx`account_id = ${accountId} and kind = ${f.kind} and instrument_key = ${f.instrumentKey} and ref = ${f.ref}`;
}

/** Our trades and legs that are not final: the side of the comparison that is ours. */
export async function ourLiveBook(sql: Queryable, accountId: string): Promise<OurBook> {
  const trades = await sql<{ id: string; symbol: string; exchange: Instrument['exchange']; product: Instrument['product']; expiry: string | null; strikePaise: number | null; optionRight: Instrument['right'] | null; side: 'BUY' | 'SELL'; status: string; openQuantity: number }[]>`
    select id, symbol, exchange, product, to_char(expiry, 'YYYY-MM-DD') as expiry, strike_paise as "strikePaise",
      option_right as "optionRight", side, status, filled_quantity - exited_quantity as "openQuantity"
    from trades where account_id = ${accountId} and status in ('PENDING', 'OPEN', 'EXITING')`;
  const legs = await sql<{ tag: string; tradeId: string; status: string }[]>`
    select o.tag, o.trade_id as "tradeId", o.status from orders o join trades t on t.id = o.trade_id
    where o.account_id = ${accountId} and t.status in ('PENDING', 'OPEN', 'EXITING')
      and o.status not in ('FILLED', 'CANCELLED', 'REJECTED', 'NOT_SENT')`;
  const byId = new Map(
    trades.map((t) => {
      const instrument: Instrument = { symbol: t.symbol, exchange: t.exchange, product: t.product };
      if (t.expiry) instrument.expiry = t.expiry;
      if (t.strikePaise !== null) instrument.strikePaise = t.strikePaise;
      if (t.optionRight) instrument.right = t.optionRight;
      return [t.id, { id: t.id, instrument, side: t.side, status: t.status, openQuantity: t.openQuantity }];
    }),
  );
  return {
    trades: [...byId.values()],
    legs: legs.flatMap((l) => {
      const trade = byId.get(l.tradeId);
      return trade ? [{ tag: l.tag, instrument: trade.instrument, status: l.status }] : [];
    }),
  };
}

/** Which of these broker order tags are legs of ours. */
export async function ourTagsAmong(sql: Queryable, accountId: string, tags: string[]): Promise<Set<string>> {
  if (!tags.length) return new Set();
  const rows = await sql<{ tag: string }[]>`select tag from orders where account_id = ${accountId} and tag = any(${tags})`;
  return new Set(rows.map((r) => r.tag));
}
