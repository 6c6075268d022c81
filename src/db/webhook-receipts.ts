/**
 * Queries of `webhook_receipts`: each signal id is taken once, in the same transaction as the
 * trade it starts.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export async function recordWebhookReceipt(sql: Queryable, signalId: string, keyId: string, tradeId: string): Promise<void> {
  await sql`insert into webhook_receipts (signal_id, key_id, trade_id) values (${signalId}, ${keyId}, ${tradeId})`;
}
