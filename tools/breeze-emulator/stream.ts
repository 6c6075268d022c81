/**
 * The emulator's streaming servers, speaking Breeze's Socket.IO protocol with the `socket.io` v4
 * server (docs/breeze-api.md#streaming):
 *
 * - **livestream**: quotes. A client joins rooms `X.1!<token>` (level 1) and `X.2!<token>` (depth)
 *   with `join` and a string or an array of strings, and receives event `stock` whenever the
 *   emulator's price of that instrument changes.
 * - **livefeeds**: order notifications. Every socket of a user receives event `order` for each state
 *   change of that user's orders (placed, modified, triggered, filled, cancelled, rejected, expired),
 *   without joining anything.
 *
 * The two listen on distinct ports, as the real hosts are distinct: the Python SDK registers an
 * `order` handler on its livestream socket too, so one server pushing orders to every socket of a
 * user would deliver each notification twice (docs/breeze-api.md#streaming-servers). Both take
 * WebSocket only and authenticate the CONNECT packet's `auth: {user, token}` against the sessions
 * REST issued (the user id and the decoded session key); a wrong pair is refused with
 * `next(new Error(...))`, which the SDK reports as "Failed to connect…".
 *
 * The `disconnect` trap (docs/breeze-api.md#streaming-disconnect): the SDK's `ws_disconnect()`
 * only emits an event named `disconnect`, which socket.io ≥ 4 refuses as reserved by dropping the
 * connection, after which the SDK reconnects and keeps streaming. The emulator renames that one
 * event on the way in and answers it by disconnecting the socket itself (a Socket.IO DISCONNECT,
 * after which python-socketio does not reconnect), so `ws_disconnect()` ends the stream as the SDK
 * means it to. Whether the real servers do the same is unknown.
 *
 * @module
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { Decoder, Encoder } from 'socket.io-parser';
import type { SessionRegistry } from './auth.ts';
import type { OrderBook } from './book.ts';
import type { SecurityMasterData } from './master.ts';
import { orderMessage } from './order-feed.ts';
import { depthTick, TickBuilder } from './ticks.ts';

export interface StreamOptions {
  host: string;
  /** 0 or absent: any free port. */
  liveStreamPort?: number | undefined;
  liveFeedsPort?: number | undefined;
  sessions: SessionRegistry;
  book: OrderBook;
  master: SecurityMasterData;
  now: () => Date;
}

export interface Streams {
  /** `http://host:port`: the SDK's LIVE_STREAM_URL (quotes). */
  readonly liveStreamUrl: string;
  /** `http://host:port`: the SDK's LIVE_FEEDS_URL (order notifications). */
  readonly liveFeedsUrl: string;
  /** Drop every connection as a network failure would (clients reconnect) and stop listening. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** The event the emulator turns an incoming `disconnect` into. */
const CLIENT_DISCONNECT = 'client_disconnect';
const ROOM = /^\d+\.\d+!.+$/;
const STRATEGY_ROOMS = ['one_click_fno', 'i_click_2_gain'];

/** socket.io's decoder, except that an incoming event named `disconnect` arrives as CLIENT_DISCONNECT. */
class BreezeDecoder extends Decoder {
  override add(obj: unknown): void {
    super.add(typeof obj === 'string' ? obj.replace(/^2((?:\/[^,]*,)?\d*)\["disconnect"/, `2$1["${CLIENT_DISCONNECT}"`) : obj);
  }
}

export async function startStreams(options: StreamOptions): Promise<Streams> {
  const { book, master, sessions } = options;
  const live = await listenIo(options.host, options.liveStreamPort ?? 0, sessions, (room) => ROOM.test(room));
  const feeds = await listenIo(options.host, options.liveFeedsPort ?? 0, sessions, (room) => ROOM.test(room) || STRATEGY_ROOMS.includes(room));
  const ticks = new TickBuilder();
  let sequence = 0;

  book.listen((event) => {
    if (event.kind === 'quote') {
      const entry = master.entryOf(event.instrument);
      const room = master.quoteRoom(event.instrument);
      const depth = master.depthRoom(event.instrument);
      if (room) live.io.to(room).emit('stock', ticks.quote(room, event.instrument, entry, event.quote));
      if (depth) live.io.to(depth).emit('stock', depthTick(depth, entry, event.quote));
      return;
    }
    const message = orderMessage(event.order, event.change, ++sequence, options.now());
    for (const socket of feeds.io.of('/').sockets.values()) if (socket.data.userId === event.order.userId) socket.emit('order', message);
  });

  return {
    liveStreamUrl: `http://${options.host}:${live.port}`,
    liveFeedsUrl: `http://${options.host}:${feeds.port}`,
    down: async () => {
      await Promise.all([live.down(), feeds.down()]);
    },
    up: async () => {
      await Promise.all([live.up(), feeds.up()]);
    },
    stop: async () => {
      await Promise.all([live.stop(), feeds.stop()]);
    },
  };
}

interface Listening {
  io: Server;
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function listenIo(host: string, port: number, sessions: SessionRegistry, allowed: (room: string) => boolean): Promise<Listening> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, parser: { Encoder, Decoder: BreezeDecoder } });
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { user?: unknown; token?: unknown };
    const session = sessions.byStreamAuth(auth.user, auth.token);
    // the real server's refusal text is unknown (docs/breeze-api.md#streaming-auth)
    if (!session) return next(new Error('Authentication failed: unknown user or session key'));
    (socket.data as { userId?: string }).userId = session.userId;
    next();
  });
  io.on('connection', (socket) => {
    socket.on('join', (rooms: unknown) => {
      for (const room of roomsOf(rooms, allowed)) void socket.join(room);
    });
    socket.on('leave', (rooms: unknown) => {
      for (const room of roomsOf(rooms, allowed)) void socket.leave(room);
    });
    socket.on(CLIENT_DISCONNECT, () => socket.disconnect(true));
  });
  await listen(http, port, host);
  const bound = (http.address() as AddressInfo).port;
  return {
    io,
    port: bound,
    async down() {
      for (const socket of io.of('/').sockets.values()) dropTransport(socket);
      await closeHttp(http);
    },
    up: () => listen(http, bound, host),
    async stop() {
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
    },
  };
}

/** Rooms from a `join`/`leave` argument: a string or an array of strings; unknown names (and the SDK's `…!False`) are ignored. */
function roomsOf(value: unknown, allowed: (room: string) => boolean): string[] {
  const names = Array.isArray(value) ? value : [value];
  return names.filter((n): n is string => typeof n === 'string' && allowed(n) && !n.endsWith('!False'));
}

/** Close the engine connection without a Socket.IO DISCONNECT, so clients see a lost transport and reconnect. */
function dropTransport(socket: Socket): void {
  socket.conn.close();
}

function closeHttp(http: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!http.listening) return resolve();
    http.close(() => resolve());
    http.closeAllConnections();
  });
}

function listen(http: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}
