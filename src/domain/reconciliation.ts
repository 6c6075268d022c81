/**
 * Reconciliation: does the broker's book agree with ours? Pure comparison of plain snapshots; the
 * activity reads them and records what this finds.
 *
 * Our book is read twice, before and after the broker's, so that anything that moved while the
 * broker was read is seen: an instrument with a trade or leg in flight in either snapshot
 * (PENDING, EXITING, a leg NEW/UNKNOWN/OPEN), or whose trades changed between the two, is skipped
 * this round. A fill in flight is then never a false alarm; the next round looks again.
 *
 * Two differences count: net position quantities that differ, and an open order at the broker
 * that is none of our legs. Nothing here invents or changes a fill or a position.
 *
 * @module
 */
import { direction, type Instrument, instrumentKey, type Side } from './trade.ts';

/** A trade of ours that is not final (final trades hold nothing). */
export interface OurTrade {
  id: string;
  instrument: Instrument;
  side: Side;
  status: string;
  /** What the trade holds: filled by its entry, less what partial exits closed. */
  openQuantity: number;
}

/** A leg of one of our trades that is not final. */
export interface OurLeg {
  tag: string;
  instrument: Instrument;
  status: string;
}

export interface OurBook {
  trades: OurTrade[];
  legs: OurLeg[];
}

/** The broker's net position in an instrument (signed: positive long, negative short). */
export interface TheirPosition {
  instrument: Instrument;
  quantity: number;
}

export interface TheirOrder {
  brokerOrderId: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  filledQuantity: number;
  status: string;
}

export interface TheirBook {
  positions: TheirPosition[];
  orders: TheirOrder[];
}

export const MISMATCH_KINDS = ['POSITION', 'UNKNOWN_ORDER'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One difference: what we hold and what the broker holds, as signed quantities. */
export interface Finding {
  kind: MismatchKind;
  instrumentKey: string;
  instrument: Instrument;
  /** Which difference within the instrument: the broker order id of an unknown order, else ''. */
  ref: string;
  ours: number;
  theirs: number;
  details: Record<string, unknown>;
}

export interface ReconcileInput {
  before: OurBook;
  theirs: TheirBook;
  after: OurBook;
  /** Tags of the broker's open orders that belong to our legs (read after the broker's book). */
  ourTags: ReadonlySet<string>;
  /** Instruments with a recorded difference still open: looked at even when both sides hold nothing now. */
  watched?: readonly Instrument[];
}

export interface Reconciliation {
  /** Instruments compared this round. */
  checked: string[];
  /** Instruments left for the next round: something was in flight. */
  skipped: string[];
  findings: Finding[];
}

/** Trade statuses whose position is about to change. */
export const TRADES_IN_FLIGHT: readonly string[] = ['PENDING', 'EXITING'];
/** Leg statuses whose outcome at the broker is not settled yet. */
export const LEGS_IN_FLIGHT: readonly string[] = ['NEW', 'UNKNOWN', 'OPEN'];

/** Net quantity the trades hold in the instrument: what the broker should show. */
function heldQuantity(book: OurBook, key: string): number {
  return book.trades
    .filter((t) => t.status === 'OPEN' && instrumentKey(t.instrument) === key)
    .reduce((sum, t) => sum + direction(t.side) * t.openQuantity, 0);
}

function inFlight(book: OurBook, key: string): boolean {
  return (
    book.trades.some((t) => instrumentKey(t.instrument) === key && TRADES_IN_FLIGHT.includes(t.status)) ||
    book.legs.some((l) => instrumentKey(l.instrument) === key && LEGS_IN_FLIGHT.includes(l.status))
  );
}

/** What our trades in the instrument look like; equal before and after means nothing moved. */
function fingerprint(book: OurBook, key: string): string {
  return book.trades
    .filter((t) => instrumentKey(t.instrument) === key)
    .map((t) => `${t.id}:${t.status}:${t.openQuantity}`)
    .sort()
    .join('|');
}

/**
 * Compare the books.
 *
 * @example
 * reconcile({ before, theirs, after: before, ourTags: new Set() }).findings
 * // [{ kind: 'POSITION', instrumentKey: 'NSE:TCS:CASH:::', ours: 0, theirs: 5, ... }]
 */
export function reconcile(input: ReconcileInput): Reconciliation {
  const { before, theirs, after } = input;
  const openOrders = theirs.orders.filter((o) => o.status === 'OPEN');
  const instruments = new Map<string, Instrument>();
  for (const i of [
    ...before.trades.map((t) => t.instrument),
    ...after.trades.map((t) => t.instrument),
    ...theirs.positions.map((p) => p.instrument),
    ...openOrders.map((o) => o.instrument),
    ...(input.watched ?? []),
  ]) {
    instruments.set(instrumentKey(i), i);
  }

  const checked: string[] = [];
  const skipped: string[] = [];
  const findings: Finding[] = [];
  for (const [key, instrument] of [...instruments].sort(([a], [b]) => a.localeCompare(b))) {
    if (inFlight(before, key) || inFlight(after, key) || fingerprint(before, key) !== fingerprint(after, key)) {
      skipped.push(key);
      continue;
    }
    checked.push(key);
    const ours = heldQuantity(after, key);
    const theirsQuantity = theirs.positions.filter((p) => instrumentKey(p.instrument) === key).reduce((sum, p) => sum + p.quantity, 0);
    if (ours !== theirsQuantity) {
      findings.push({ kind: 'POSITION', instrumentKey: key, instrument, ref: '', ours, theirs: theirsQuantity, details: {} });
    }
    for (const order of openOrders.filter((o) => instrumentKey(o.instrument) === key && !input.ourTags.has(o.tag))) {
      const remaining = direction(order.side) * (order.quantity - order.filledQuantity);
      findings.push({
        kind: 'UNKNOWN_ORDER',
        instrumentKey: key,
        instrument,
        ref: order.brokerOrderId,
        ours: 0,
        theirs: remaining,
        details: { brokerOrderId: order.brokerOrderId, tag: order.tag, side: order.side, quantity: order.quantity, filledQuantity: order.filledQuantity },
      });
    }
  }
  return { checked, skipped, findings };
}

/** The difference a resolution accepts: the same one seen again is not a new mismatch. */
export function difference(f: { ours: number; theirs: number }): number {
  return f.theirs - f.ours;
}
