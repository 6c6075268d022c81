/**
 * Acting on a TradingView alert a strategy's webhook URL accepted (docs/tradingview.md): read the
 * strategy's position in the symbol, plan (src/domain/tradingview.ts), then exit and/or enter
 * through the trade workflows as POST /trades and POST /trades/{id}/exit do, so the risk check,
 * the strategy's kill switch and the audit trail apply. Safe to run again: the entry's trade id
 * comes from the alert (the same alert joins the same trade), an exit asked twice is one exit,
 * and a trade already on its way out holds nothing the plan counts.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/chain.ts';
import type { Actor } from '../audit/events.ts';
import { getTrade } from '../db/trades.ts';
import { heldTradesOfStrategy, recordAlertOutcome } from '../db/tradingview-alerts.ts';
import { transaction } from '../db/transaction.ts';
import { tradeIdFor } from '../domain/ids.ts';
import { FINAL_STATUSES } from '../domain/trade.ts';
import { alertEntry, alertEntryKey, planAlert, type TradingViewAlert } from '../domain/tradingview.ts';
import type { ActivityDeps } from './context.ts';

export interface AlertInput {
  alertRowId: number;
  accountId: string;
  strategyId: string;
  strategyName: string;
  alert: TradingViewAlert;
  requestId?: string | undefined;
  clientIp?: string | undefined;
}

export interface AlertOutcome {
  outcome: 'entry' | 'exit' | 'reverse' | 'ignored';
  reason?: string | undefined;
  tradeIds: string[];
}

/** How long the entry's risk check and placement is waited for (the trade goes on by itself after). */
const ENTRY_ACK_WAIT_MS = 10_000;

export function tradingViewActivities(deps: ActivityDeps) {
  const actor = (input: AlertInput): Actor => ({ type: 'system', id: `tradingview:${input.strategyId}` });

  async function exit(workflowId: string, tradeId: string, by: Actor): Promise<void> {
    try {
      await deps.trades.requestExit(workflowId, 'REQUESTED', by);
    } catch (err) {
      const now = await getTrade(deps.sql, tradeId);
      if (now && (FINAL_STATUSES.includes(now.status) || now.status === 'EXITING')) return;
      throw err;
    }
  }

  return {
    async actOnTradingViewAlert(input: AlertInput): Promise<AlertOutcome> {
      const { alert } = input;
      const by = actor(input);
      const held = await heldTradesOfStrategy(deps.sql, input.accountId, input.strategyId, alert.ticker, alert.exchange);
      const plan = planAlert(held[0]?.side, alert.marketPosition);
      const touched: string[] = [];
      if (plan.kind === 'exit' || plan.kind === 'reverse') {
        for (const t of held) {
          await exit(t.workflowId, t.id, by);
          touched.push(t.id);
        }
      }
      if (plan.kind === 'entry' || plan.kind === 'reverse') {
        const request = alertEntry(alert, plan.side, input.strategyName);
        const tradeId = tradeIdFor(input.accountId, alertEntryKey(input.strategyId, alert));
        await deps.trades.startTrade(
          {
            tradeId,
            accountId: input.accountId,
            request,
            requestFingerprint: createHash('sha256').update(canonicalJson(request)).digest('hex'),
            requestedBy: by,
            clientIp: input.clientIp,
            requestId: input.requestId,
            source: 'webhook',
          },
          ENTRY_ACK_WAIT_MS,
        );
        touched.push(tradeId);
      }
      const result: AlertOutcome = { outcome: plan.kind, reason: plan.kind === 'ignored' ? plan.reason : undefined, tradeIds: touched };
      await transaction(deps.sql, async (tx) => {
        await recordAlertOutcome(tx, input.alertRowId, plan.kind, touched);
        await deps.audit.append(tx, {
          type: 'TRADINGVIEW_ALERT',
          actor: by,
          accountId: input.accountId,
          requestId: input.requestId,
          payload: { strategyId: input.strategyId, strategy: input.strategyName, ...alert, outcome: plan.kind, reason: result.reason, held: held.map((t) => t.id), tradeIds: touched },
        });
      });
      return result;
    },
  };
}
