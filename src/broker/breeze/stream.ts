/**
 * Breeze's streams over Socket.IO (docs/breeze-api.md#streaming), with `socket.io-client` v4 as
 * the official JS SDK does: quotes from livestream, order notifications from livefeeds.
 *
 * - Auth on CONNECT is `{user, token}`, the halves of the decoded session token
 *   (docs/breeze-api.md#streaming-auth), read afresh at every (re)connection.
 * - WebSocket only. A quote subscription joins `X.1!<token>`; socket.io-client forgets rooms on
 *   reconnect, so every `connect` joins all watched rooms again (docs/breeze-api.md#streaming-servers).
 * - A refusal at CONNECT does not reconnect by itself in socket.io-client: we retry after
 *   RETRY_MS with credentials read again (the operator may have logged in meanwhile).
 * - While the livestream is down every price is stale; a quiet instrument goes stale on its own
 *   (PriceHub).
 * - Order notifications only wake whoever waits for that order (order-notices.ts); while the
 *   livefeeds socket is down the board says so, and the waiters look at their orders more often.
 *
 * @module
 */
import { io, type Socket } from 'socket.io-client';
import type { Logger } from '../../config/logger.ts';
import { type Instrument, instrumentKey } from '../../domain/trade.ts';
import { OrderNoticeBoard } from '../order-notices.ts';
import { PriceHub, type PriceUpstream } from '../price-hub.ts';
import type { SecurityMaster } from './security-master.ts';
import { notifiedOrderId, parseQuoteTick, quoteRoom } from './stream-messages.ts';

export interface StreamCredentials {
  user: string;
  token: string;
}

export interface BreezeStreamOptions {
  liveStreamUrl: string;
  liveFeedsUrl: string;
  staleMs: number;
  /** The decoded session of the day; throws when there is none. */
  credentials: () => Promise<StreamCredentials>;
  securityMaster: () => Promise<SecurityMaster>;
  /** Also open the order feed (livefeeds); a price-only reader (the exit book's thread) does not. */
  orderFeed?: boolean | undefined;
  log?: Logger | undefined;
}

export interface BreezeStream {
  prices: PriceHub;
  orders: OrderNoticeBoard;
}

/** Wait before connecting again after the server refused the CONNECT. */
const RETRY_MS = 5_000;

/** Connects the order feed now and the quote stream at the first watched instrument. */
export function createBreezeStream(options: BreezeStreamOptions): BreezeStream {
  const prices = new PriceHub({ staleMs: options.staleMs });
  const orders = new OrderNoticeBoard();
  /** Room → instrument, for every watched instrument that can be streamed. */
  const rooms = new Map<string, Instrument>();
  const roomOfKey = new Map<string, string>();
  let closed = false;

  const live = openSocket(options.liveStreamUrl, 'livestream');
  const feeds = options.orderFeed === false ? undefined : openSocket(options.liveFeedsUrl, 'livefeeds');
  prices.setConnected(false);

  live.on('connect', () => {
    prices.setConnected(true);
    if (rooms.size) live.emit('join', [...rooms.keys()]);
  });
  live.on('disconnect', () => prices.setConnected(false));
  live.on('stock', (tick: unknown) => {
    const quote = parseQuoteTick(tick);
    const instrument = quote && rooms.get(quote.room);
    if (!quote || !instrument) return;
    prices.publish({ instrument, lastPricePaise: quote.lastPricePaise, at: quote.at ?? new Date().toISOString() });
  });
  feeds?.on('connect', () => orders.setConnected(true));
  feeds?.on('disconnect', () => orders.setConnected(false));
  feeds?.on('order', (message: unknown) => {
    const id = notifiedOrderId(message);
    if (id) orders.notify(id);
  });
  feeds?.connect();

  function openSocket(url: string, name: string): Socket {
    const socket = io(url, {
      transports: ['websocket'],
      autoConnect: false,
      reconnection: true,
      auth: (cb) => {
        options.credentials().then(
          (c) => cb({ user: c.user, token: c.token }),
          (err: unknown) => {
            options.log?.warn({ err, stream: name }, 'no Breeze session for the stream yet');
            cb({});
          },
        );
      },
    });
    socket.on('connect_error', (err) => {
      if (socket.active || closed) return;
      // refused by the server (no or a stale session): socket.io-client leaves it to us
      options.log?.warn({ err: err.message, stream: name }, 'Breeze stream refused the connection; retrying');
      setTimeout(() => {
        if (!closed) socket.connect();
      }, RETRY_MS).unref();
    });
    return socket;
  }

  const upstream: PriceUpstream = {
    subscribe(instrument) {
      void options
        .securityMaster()
        .then((master) => {
          const key = instrumentKey(instrument);
          if (closed || !prices.watched().some((i) => instrumentKey(i) === key)) return;
          const room = quoteRoom(instrument, master.streamToken(instrument));
          if (!room) return options.log?.info({ instrument: key }, 'no streaming token: prices of this instrument come from REST quotes');
          rooms.set(room, instrument);
          roomOfKey.set(key, room);
          if (!live.connected && !live.active) live.connect();
          else if (live.connected) live.emit('join', room);
        })
        .catch((err: unknown) => options.log?.warn({ err }, 'security master unavailable for streaming'));
    },
    unsubscribe(instrument) {
      const key = instrumentKey(instrument);
      const room = roomOfKey.get(key);
      if (!room) return;
      roomOfKey.delete(key);
      rooms.delete(room);
      if (live.connected) live.emit('leave', room);
    },
    async close() {
      closed = true;
      live.disconnect();
      feeds?.disconnect();
    },
  };
  prices.attach(upstream);
  return { prices, orders };
}
