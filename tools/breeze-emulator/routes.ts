/**
 * Which handler answers a signed call, by method and endpoint (docs/breeze-api.md#endpoints).
 *
 * @module
 */
import { getHoldings, getPositions, getQuotes, getTrades } from './account.ts';
import { type EmuFunds, marginCalculator } from './funds.ts';
import type { OrderBook } from './book.ts';
import { cancelGtt, gttBook, modifyGtt, placeGtt } from './gtt.ts';
import type { GttBook } from './gtt-book.ts';
import type { SecurityMasterData } from './master.ts';
import { cancelOrder, getOrders, modifyOrder, placeOrder } from './orders.ts';
import type { Answer } from './wire.ts';

export interface SignedCall {
  book: OrderBook;
  gtts: GttBook;
  funds: EmuFunds;
  master: SecurityMasterData;
  userId: string;
  method: string;
  endpoint: string;
  body: Record<string, unknown>;
  istDay: (d: Date) => string;
}

export function routeSigned(call: SignedCall): Answer {
  const { book, gtts, funds, master, userId, body, istDay } = call;
  switch (`${call.method} ${call.endpoint}`) {
    case 'POST order':
      return placeOrder(book, master, userId, body);
    case 'PUT order':
      return modifyOrder(book, master, userId, body);
    case 'DELETE order':
      return cancelOrder(book, userId, body);
    case 'GET order':
      return getOrders(book, userId, body, istDay);
    case 'POST squareoff':
      return placeOrder(book, master, userId, body, true);
    case 'POST gttorder':
      return placeGtt(gtts, master, userId, body);
    case 'PUT gttorder':
      return modifyGtt(gtts, master, userId, body);
    case 'DELETE gttorder':
      return cancelGtt(gtts, userId, body);
    case 'GET gttorder':
      return gttBook(gtts, userId, body, istDay);
    case 'GET trades':
      return getTrades(book, userId, body, istDay);
    case 'GET portfoliopositions':
      return getPositions(book, userId);
    case 'GET portfolioholdings':
      return getHoldings(book, userId, body);
    case 'GET funds':
      return funds.answer(book, userId);
    case 'POST funds':
      return funds.setFunds(userId, body);
    case 'POST margincalculator':
      return marginCalculator(body);
    case 'GET quotes':
      return getQuotes(book, body);
    default:
      return { status: 404, body: '<html><body>404 Not Found</body></html>', contentType: 'text/html' };
  }
}
