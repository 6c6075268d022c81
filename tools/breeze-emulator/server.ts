/**
 * A Breeze Connect emulator: an HTTP server speaking Breeze's wire protocol at
 * `/breezeapi/api/v1/<endpoint>` (docs/breeze-api.md#the-emulator), for tests and local runs. It checks
 * signatures over the raw body bytes, exchanges API sessions, keeps an order book per user, fills
 * marketable limit orders against quotes set through the control API, enforces Breeze's limits, and
 * injects the faults that matter for sending an order at most once. It records every request it
 * received, so a test can say "sent exactly once". Beside it run the two streaming servers
 * (stream.ts: quotes and order notifications over Socket.IO), and it serves its security master
 * as `/MotherAppMaster/SecurityMaster.zip`, the file the Python SDK downloads (master.ts).
 *
 * The control API (`/__control/…`, not part of Breeze) is in control.ts.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { istParts } from '../../src/domain/market-calendar.ts';
import { checkSigned, SessionRegistry } from './auth.ts';
import { OrderBook } from './book.ts';
import { GttBook } from './gtt-book.ts';
import { EmuFunds } from './funds.ts';
import { handleControl } from './control.ts';
import { FaultPlan } from './faults.ts';
import { BREEZE_LIMITS, CallWindows } from './limits.ts';
import { SecurityMasterData } from './master.ts';
import { routeSigned } from './routes.ts';
import { startStreams } from './stream.ts';
import type { BreezeEmulator, BreezeEmulatorOptions, RecordedRequest } from './types.ts';
import { type Answer, businessError, gatewayError, htmlError, ok, TEXT } from './wire.ts';
import { zipOf } from './zip.ts';

const MAX_BODY_BYTES = 1024 * 1024;
const V1 = /^\/breezeapi\/api\/v1\/([A-Za-z_]+)\/?$/;
const MASTER_PATH = '/MotherAppMaster/SecurityMaster.zip';

/**
 * Start an emulator.
 *
 * @example
 * const emulator = await startBreezeEmulator({ appKey: 'key', secretKey: 'secret' });
 * // BREEZE_BASE_URL=emulator.url, BREEZE_API_SESSION=emulator.apiSession
 */
export async function startBreezeEmulator(options: BreezeEmulatorOptions): Promise<BreezeEmulator> {
  const now = options.now ?? (() => new Date());
  const host = options.host ?? '127.0.0.1';
  const sessions = new SessionRegistry(options.userId ?? 'EMU00001');
  const first = (options.apiSessions?.length ? options.apiSessions : [undefined]).map((s) => sessions.add(s).apiSession)[0]!;
  const book = new OrderBook(now);
  const gtts = new GttBook(book);
  const funds = new EmuFunds();
  const master = new SecurityMasterData(options.instruments);
  const windows = new CallWindows({ ...BREEZE_LIMITS, ...options.limits });
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const istDay = (d: Date) => istParts(d).date;
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;

  function breeze(req: IncomingMessage, endpoint: string, raw: Buffer, body: Record<string, unknown>): Answer {
    const method = req.method ?? 'GET';
    if (endpoint === 'customerdetails') return customerDetails(body);
    const session = checkSigned(req.headers, raw, { appKey: options.appKey, secretKey: options.secretKey, sessions, now: now(), maxSkewMs });
    if (!('userId' in session)) return session;
    const refusal = windows.admit(now().getTime(), istDay(now()), method !== 'GET' && (endpoint === 'order' || endpoint === 'squareoff' || endpoint === 'gttorder'));
    if (refusal) return gatewayError(refusal);
    return routeSigned({ book, gtts, funds, master, userId: session.userId, method, endpoint, body, istDay });
  }

  function customerDetails(body: Record<string, unknown>): Answer {
    if (body.AppKey !== options.appKey) return businessError(TEXT.unknownKey);
    const session = sessions.byApi(String(body.SessionToken ?? ''));
    if (!session) return businessError(TEXT.invalidSession);
    if (session.expired) return businessError(TEXT.expiredSession);
    const refusal = windows.admit(now().getTime(), istDay(now()), false);
    if (refusal) return gatewayError(refusal);
    const day = istDay(now());
    const [y, m, d] = day.split('-');
    const printed = `${d}-${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1]}-${y}`;
    return ok({
      exg_trade_date: { NSE: printed, BSE: printed, FNO: printed, NDX: printed },
      exg_status: { NSE: 'O', BSE: 'O', FNO: 'Y', NDX: 'X' },
      segments_allowed: { Trading: 'Y', Equity: 'Y', Derivatives: 'Y', Currency: 'Z' },
      idirect_userid: session.userId,
      session_token: session.sessionToken,
      idirect_user_name: 'Breeze Emulator',
      idirect_ORD_TYP: 'N',
      idirect_lastlogin_time: `${printed} 09:00:00`,
      mf_holding_mode_popup_flg: 'N',
      commodity_exchange_status: 'N',
      commodity_trade_date: printed,
      commodity_allowed: 'O',
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (path === MASTER_PATH) {
      const zip = zipOf(master.files());
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.length });
      return void res.end(zip);
    }
    if (path.startsWith('/__control/')) return send(res, handleControl(emulator, req.method ?? 'GET', path.slice('/__control/'.length), raw));
    const match = V1.exec(path);
    if (!match) return send(res, { status: 404, body: '<html><body>404 Not Found</body></html>', contentType: 'text/html' });
    const endpoint = match[1]!.toLowerCase();
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    let recorded: unknown = raw.toString('utf8');
    try {
      const parsed: unknown = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      recorded = parsed;
    } catch {
      // not JSON: the checksum decides first, as it would on the real server
    }
    const record: RecordedRequest = { at: now(), method, endpoint, body: recorded, outcome: 0 };
    requests.push(record);
    const fault = faults.take(method, endpoint);
    if (fault?.kind === 'gateway') {
      record.outcome = 'gateway';
      return send(res, htmlError(fault.status ?? 502));
    }
    if (fault?.kind === 'rate-limit') {
      record.outcome = 'rate-limit';
      return send(res, gatewayError(TEXT.perMinute));
    }
    const answer = breeze(req, endpoint, raw, body);
    record.outcome = statusOf(answer);
    if (fault?.kind === 'timeout') {
      record.outcome = 'timeout';
      return; // acted on, never answered; the socket is dropped at down() or stop()
    }
    if (fault?.kind === 'reset') {
      record.outcome = 'reset';
      req.socket.destroy();
      return;
    }
    send(res, answer);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: JSON.stringify({ Message: 'An error has occurred.', ExceptionMessage: String(err) }), contentType: 'application/json' });
    });
  });
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const streams = await startStreams({ host, liveStreamPort: options.liveStreamPort, liveFeedsPort: options.liveFeedsPort, sessions, book, master, now });

  const emulator: BreezeEmulator = {
    url: `http://${host}:${port}/breezeapi/api/v1/`,
    port,
    liveStreamUrl: streams.liveStreamUrl,
    liveFeedsUrl: streams.liveFeedsUrl,
    securityMasterUrl: `http://${host}:${port}${MASTER_PATH}`,
    master,
    apiSession: first,
    requests,
    book,
    gtts,
    windows,
    sent: (method, endpoint) => requests.filter((r) => r.method === method && r.endpoint === endpoint),
    setQuote: (instrument, quote) => book.setQuote(instrument, quote),
    setFunds: (allocation, userId) => funds.set(userId ?? options.userId ?? 'EMU00001', allocation),
    login: (apiSession) => sessions.add(apiSession).apiSession,
    expireSessions: () => sessions.expireAll(),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    async down() {
      await streams.down();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async up() {
      await listen(server, port, host);
      await streams.up();
    },
    async stop() {
      if (server.listening) await emulator.down();
      await streams.stop();
    },
  };
  return emulator;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function statusOf(answer: Answer): number {
  try {
    return Number((JSON.parse(answer.body) as { Status?: number }).Status ?? answer.status);
  } catch {
    return answer.status;
  }
}
