/** Reconciliation with the broker. */
import { z } from 'zod';
import { int } from '../schema.ts';

export const reconciliationSettings = z.object({
  RECONCILIATION_INTERVAL_MIN: int(1).max(1440).default(5).describe("Minutes between reconciliations of the broker's positions and open orders with ours"),
  RECONCILIATION_RUN_WAIT_MS: int(100).default(10000).describe('How long POST /reconciliation/run waits for the result before answering 202 with the run id'),
}).describe('Reconciliation with the broker');
export type ReconciliationSettings = z.infer<typeof reconciliationSettings>;
