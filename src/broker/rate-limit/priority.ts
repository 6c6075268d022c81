/**
 * Which broker calls may use the part of the budget kept for orders. Placing, settling and
 * cancelling an order run inside `asOrderAction` (the reads they need, such as the tag lookup
 * before a send or the quote for a market order's protective price, included); every other call
 * (status polls, quotes for stop-loss watching, reconciliation, account reads) stays below the
 * reserve, so a busy day of polling can never leave an exit unable to go out.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const orderAction = new AsyncLocalStorage<true>();

export function asOrderAction<T>(fn: () => Promise<T>): Promise<T> {
  return orderAction.run(true, fn);
}

export function inOrderAction(): boolean {
  return orderAction.getStore() === true;
}
