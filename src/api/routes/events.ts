/**
 * GET /events: live updates as Server-Sent Events (docs/live-events.md). The caller's account's
 * trades, orders, fills, P&L and trading state, and the system's alerts, as they commit in any
 * process. A client that reconnects with Last-Event-ID first gets every event after that id, then
 * the live ones. Authenticated with the usual Bearer token (read it with fetch; EventSource cannot
 * send the header). A comment every 15 s keeps proxies from closing an idle stream.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { accountEventsAfter, EVENT_TYPES, type EventRow } from '../../db/events.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import type { EventHub } from '../live/hub.ts';
import { validationHook } from '../validation.ts';

/** The keep-alive comment's interval (docs/live-events.md). */
const KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting after the stream broke. */
const RETRY_MS = 3_000;

const EventData = z
  .object({
    id: z.string().openapi({ description: 'The SSE id (a decimal number): send it back as Last-Event-ID to resume after it' }),
    type: z.enum(EVENT_TYPES),
    accountId: z.string().nullable().openapi({ description: 'null for system-wide alerts' }),
    at: z.string().openapi({ description: 'When the change committed, ISO 8601 UTC' }),
    tradeId: z.string().optional(),
  })
  .catchall(z.unknown())
  .openapi('LiveEvent', {
    description:
      'The `data:` of each event, JSON. Besides the members above: `trade` has `status`, `symbol`, `exchange`, `product`, `side`, `quantity`, `filledQuantity`, `exitedQuantity`, `strategy`, `entryPrice`, `exitPrice`, `exitReason`, `rejectReason`; ' +
      '`order` has `tag`, `leg` (ENTRY/EXIT), `side`, `quantity`, `orderType`, `limitPrice`, `status`, `filledQuantity`, `averagePrice`, `brokerOrderId`, `rejectReason`; ' +
      '`fill` has `orderTag`, `leg`, `side`, `qty` (= `quantity`), `price`, `charges`, `filledAt`; `pnl` has `status`, `symbol`, `realizedPnl`, `grossPnl`, `charges`, `exitedQuantity`; ' +
      '`trading-state` has `scope` (account or strategy), `state`, `from`, `reason` (and `strategyId`, `strategy`); `alert` has `alertId`, `alertKey`, `ruleId`, `status` (FIRING/RESOLVED), `severity`, `summary`, `value`. Prices and money in rupees.',
  });

const stream = createRoute({
  method: 'get',
  path: '/',
  tags: ['monitoring'],
  summary: 'Live updates (Server-Sent Events): trade, order, fill, pnl, trading-state, alert; resumable with Last-Event-ID',
  description:
    'A `text/event-stream`: each event has `event:` (its type), `id:` and one `data:` line of JSON (LiveEvent). Send `Authorization: Bearer …` as on every route (read the stream with fetch). ' +
    'Reconnect with `Last-Event-ID: <id>` to get every event after it first. A `: ping` comment comes every 15 s.',
  request: { headers: z.object({ 'last-event-id': z.string().optional().openapi({ description: 'The id of the last event received' }) }) },
  responses: { 200: { description: 'The stream', content: { 'text/event-stream': { schema: EventData } } } },
});

export function eventView(row: EventRow): z.infer<typeof EventData> {
  return { id: row.id, type: row.type, accountId: row.accountId, at: row.at.toISOString(), ...(row.tradeId ? { tradeId: row.tradeId } : {}), ...row.data };
}

export function eventRoutes({ sql, hub }: Pick<AppDeps, 'sql'> & { hub: EventHub }) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(stream, async (c) => {
    const accountId = principalOf(c).accountId;
    const resumeAfter = c.req.header('last-event-id')?.trim();
    const queue: EventRow[] = [];
    let wake: (() => void) | undefined;
    // Subscribed before the replay is read: nothing committed in between is lost (duplicates are skipped below).
    const unsubscribe = await hub.subscribe(accountId, (row) => {
      queue.push(row);
      wake?.();
    });
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        const replayed = new Set<string>();
        const send = async (row: EventRow) => sse.writeSSE({ event: row.type, id: row.id, data: JSON.stringify(eventView(row)) });
        await sse.write(`retry: ${RETRY_MS}\n\n`);
        if (resumeAfter && /^\d{1,19}$/.test(resumeAfter)) {
          for (const row of await accountEventsAfter(sql, accountId, resumeAfter)) {
            replayed.add(row.id);
            await send(row);
          }
        }
        while (!sse.aborted) {
          while (queue.length && !sse.aborted) {
            const row = queue.shift()!;
            if (!replayed.delete(row.id)) await send(row);
          }
          const woke = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), KEEP_ALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
            if (queue.length || sse.aborted) wake();
          });
          wake = undefined;
          if (!woke && !sse.aborted) await sse.write(': ping\n\n');
        }
      } finally {
        unsubscribe();
      }
    }) as never;
  });
}
