/**
 * The emulator's control API, for tests and people driving it by hand (not part of Breeze):
 *
 * - `POST /__control/quotes` `{stock_code, exchange_code, product_type?, expiry_date?, right?,
 *   strike_price?, ltp, best_bid_price?, best_offer_price?, upper_circuit?, lower_circuit?}` (rupees)
 * - `POST /__control/instruments` `{exchange_code, stock_code, token?, lot_size?, tick_size? (rupees), name?}`:
 *   add an instrument to the security master or change its lot and tick (NFO/BFO: an underlying)
 * - `POST /__control/funds` `{bank?, equity?, fno?, user_id?}` (rupees): a user's bank balance and segment allocations
 * - `POST /__control/login` → `{api_session}`: a new day's browser login
 * - `POST /__control/expire-session`: every session expires
 * - `POST /__control/faults` `{kind: timeout|gateway|rate-limit|reset, method?, endpoint?, times?, status?}`
 * - `DELETE /__control/faults`
 * - `GET /__control/requests`: every request received
 * - `POST /__control/down` `{ms?}`: stop listening (for `ms`, default 5000, then listen again)
 *
 * @module
 */
import { toPaise } from '../../src/broker/breeze/values.ts';
import { instrumentOf } from './book.ts';
import type { FaultKind } from './faults.ts';
import type { BreezeEmulator } from './types.ts';
import type { Answer } from './wire.ts';

const FAULTS: readonly FaultKind[] = ['timeout', 'gateway', 'rate-limit', 'reset'];

const reply = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value), contentType: 'application/json' });

export function handleControl(emulator: BreezeEmulator, method: string, path: string, raw: Buffer): Answer {
  let body: Record<string, unknown> = {};
  try {
    body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return reply(400, { error: 'body must be JSON' });
  }
  const paise = (key: string) => (body[key] === undefined ? undefined : toPaise(body[key] as string | number));
  switch (`${method} ${path}`) {
    case 'POST quotes': {
      const ltpPaise = paise('ltp');
      if (!ltpPaise || !body.stock_code || !body.exchange_code) return reply(400, { error: 'stock_code, exchange_code and ltp are required' });
      emulator.setQuote(instrumentOf(body), {
        ltpPaise,
        bidPaise: paise('best_bid_price'),
        offerPaise: paise('best_offer_price'),
        upperCircuitPaise: paise('upper_circuit'),
        lowerCircuitPaise: paise('lower_circuit'),
      });
      return reply(200, { ok: true });
    }
    case 'POST instruments': {
      if (typeof body.stock_code !== 'string' || typeof body.exchange_code !== 'string') return reply(400, { error: 'stock_code and exchange_code are required' });
      emulator.master.configure({
        exchange: body.exchange_code,
        stockCode: body.stock_code,
        token: typeof body.token === 'string' ? body.token : undefined,
        name: typeof body.name === 'string' ? body.name : undefined,
        lotSize: typeof body.lot_size === 'number' ? body.lot_size : undefined,
        tickPaise: paise('tick_size'),
      });
      return reply(200, { ok: true });
    }
    case 'POST funds':
      emulator.setFunds({ bankPaise: paise('bank'), equityPaise: paise('equity'), fnoPaise: paise('fno') }, typeof body.user_id === 'string' ? body.user_id : undefined);
      return reply(200, { ok: true });
    case 'POST login':
      return reply(200, { api_session: emulator.login(typeof body.api_session === 'string' ? body.api_session : undefined) });
    case 'POST expire-session':
      emulator.expireSessions();
      return reply(200, { ok: true });
    case 'POST faults': {
      const kind = body.kind as FaultKind;
      if (!FAULTS.includes(kind)) return reply(400, { error: `kind must be one of ${FAULTS.join(', ')}` });
      emulator.injectFault({
        kind,
        method: typeof body.method === 'string' ? body.method : undefined,
        endpoint: typeof body.endpoint === 'string' ? body.endpoint : undefined,
        times: typeof body.times === 'number' ? body.times : undefined,
        status: typeof body.status === 'number' ? body.status : undefined,
      });
      return reply(200, { ok: true });
    }
    case 'DELETE faults':
      emulator.clearFaults();
      return reply(200, { ok: true });
    case 'GET requests':
      return reply(200, emulator.requests);
    case 'POST down': {
      const ms = typeof body.ms === 'number' ? body.ms : 5000;
      // answer first, then go down: this very connection is dropped with the others
      setTimeout(() => {
        void emulator
          .down()
          .then(() => new Promise((r) => setTimeout(r, ms)))
          .then(() => emulator.up())
          .catch(() => undefined);
      }, 20);
      return reply(200, { ok: true, downForMs: ms });
    }
    default:
      return reply(404, { error: `no control ${method} /__control/${path}` });
  }
}
