/**
 * The basket as clients see it: rupees, ISO times, and its legs as trades with their orders.
 *
 * @module
 */
import type { BasketRow } from '../../db/baskets.ts';
import { paiseToRupees } from '../../domain/money.ts';

const rupees = (paise: number | null) => (paise === null ? null : paiseToRupees(paise));

export function basketView(b: BasketRow, legs: Record<string, unknown>[]) {
  return {
    id: b.id,
    status: b.status,
    margin: rupees(b.marginPaise),
    legsAlone: rupees(b.legsAlonePaise),
    hedged: b.hedged,
    reason: b.reason,
    ...(b.violations ? { violations: b.violations } : {}),
    createdAt: b.createdAt.toISOString(),
    decidedAt: b.decidedAt ? b.decidedAt.toISOString() : null,
    workflowId: b.workflowId,
    legs,
  };
}
