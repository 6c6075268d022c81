/**
 * The paper exchange's order notices: every change of a paper order's status or filled quantity
 * is announced by NOTIFY from the transaction that made it (migration 0200), so while the worker
 * listens none is missed, unlike a broker's stream. The listening connection can still drop: when
 * it is back, every order listened to is told it may have changed.
 *
 * @module
 */
import { listenPaperOrders } from '../../db/paper-orders.ts';
import type { Sql } from '../../db/pool.ts';
import { OrderNoticeBoard, type OrderNotices } from '../order-notices.ts';

export interface PaperOrderChanges extends OrderNotices {
  close(): Promise<void>;
}

/** Resolves once listening, so no change committed after it is missed. */
export async function listenPaperOrderChanges(sql: Sql): Promise<PaperOrderChanges> {
  const board = new OrderNoticeBoard();
  let listened = false;
  const unlisten = await listenPaperOrders(
    sql,
    (orderId) => board.notify(orderId),
    () => {
      if (listened) board.notifyAll(); // a reconnect: what was announced meanwhile is lost
      listened = true;
      board.setConnected(true);
    },
  );
  return {
    onChange: (orderId, listener) => board.onChange(orderId, listener),
    connected: () => board.connected(),
    async close() {
      board.setConnected(false);
      await unlisten();
    },
  };
}
