/**
 * The strategy registry's changes: create (audited), and each strategy's kill switch. The switch
 * is a row state the risk reservation reads under the account lock (src/activities/strategy-risk.ts);
 * halting takes the same lock, so an entry is judged either before the halt or after it. After the
 * state is committed, the strategy's working entries are asked to cancel and, with `flatten`, every
 * trade of it that holds or may come to hold a position is asked to exit (trade workflows act on
 * these durably). Halting again asks again, so a retried halt finishes what a broken one started.
 * The switch itself needs only PostgreSQL: with Temporal down the strategy is halted all the same,
 * and the answer says which trades were not reached.
 * The default strategy has no switch of its own: POST /risk/halt halts the account (docs/strategies.md).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AuditLog } from '../../audit/append.ts';
import type { Actor } from '../../audit/events.ts';
import { lockAccount } from '../../db/accounts.ts';
import type { Sql } from '../../db/pool.ts';
import { getStrategy, insertStrategy, liveTradesOfStrategy, setWebhookTokenHash, writeStrategyState } from '../../db/strategies.ts';
import { transaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { RiskLimits } from '../../domain/risk/limits.ts';
import { DEFAULT_STRATEGY, type Strategy } from '../../domain/strategy.ts';
import { hashWebhookToken, newWebhookToken } from '../../security/webhook-tokens.ts';
import { tradeControls } from '../../temporal/trades.ts';

export interface StrategyDeps {
  sql: Sql;
  audit: AuditLog;
  temporal: Client;
}

const by = (actor: Actor) => `${actor.type}:${actor.id}`;

/** A strategy and its TradingView webhook token, which is shown once and kept only hashed. */
export interface WithWebhookToken {
  strategy: Strategy;
  webhookToken: string;
}

export async function createStrategy(deps: Omit<StrategyDeps, 'temporal'>, accountId: string, s: { name: string; algoId: string; limits: Partial<RiskLimits> }, actor: Actor, requestId?: string): Promise<WithWebhookToken> {
  return transaction(deps.sql, async (tx) => {
    const id = `stg_${randomUUID()}`;
    if (!(await insertStrategy(tx, { id, accountId, ...s, createdBy: by(actor) }))) {
      throw new ConflictError('strategy-name-taken', `The account already has a strategy named ${s.name}`, { name: s.name });
    }
    const webhookToken = newWebhookToken();
    await setWebhookTokenHash(tx, accountId, id, hashWebhookToken(webhookToken));
    await deps.audit.append(tx, { type: 'STRATEGY_CREATED', actor, accountId, requestId, payload: { strategyId: id, name: s.name, algoId: s.algoId, limits: s.limits } });
    return { strategy: (await getStrategy(tx, accountId, id))!, webhookToken };
  });
}

/** A new TradingView webhook token for the strategy; the old one stops working at once (audited). */
export async function rotateWebhookToken(deps: Omit<StrategyDeps, 'temporal'>, accountId: string, id: string, actor: Actor, requestId?: string): Promise<WithWebhookToken> {
  return transaction(deps.sql, async (tx) => {
    const strategy = await getStrategy(tx, accountId, id);
    if (!strategy) throw new NotFoundError(`Strategy ${id}`);
    const webhookToken = newWebhookToken();
    await setWebhookTokenHash(tx, accountId, id, hashWebhookToken(webhookToken));
    await deps.audit.append(tx, { type: 'WEBHOOK_TOKEN_ISSUED', actor, accountId, requestId, payload: { strategyId: id, name: strategy.name } });
    return { strategy, webhookToken };
  });
}

function switchable(strategy: Strategy | undefined, id: string): Strategy {
  if (id === DEFAULT_STRATEGY) throw new ConflictError('default-strategy', 'The default strategy has no kill switch of its own: POST /risk/halt halts the whole account');
  if (!strategy) throw new NotFoundError(`Strategy ${id}`);
  return strategy;
}

export interface HaltOutcome {
  strategy: Strategy;
  /** Trades asked to cancel their entry or (with flatten) to exit. */
  tradesAsked: number;
  /** Of those, the ones whose workflow did not take the request (finished meanwhile, or Temporal did not answer): halting again asks again. */
  tradesNotReached: number;
}

/**
 * Halt the strategy, then ask its trades to cancel or exit. `mayAsk` is asked just before the
 * trades are: false (Temporal down, or the request already answered) leaves them for a retry.
 */
export async function haltStrategy(
  deps: StrategyDeps,
  accountId: string,
  id: string,
  req: { reason: string; flatten: boolean },
  actor: Actor,
  mayAsk: () => Promise<boolean>,
  requestId?: string,
): Promise<HaltOutcome> {
  const strategy = await transaction(deps.sql, async (tx) => {
    await lockAccount(tx, accountId);
    const before = switchable(await getStrategy(tx, accountId, id), id);
    if (before.state !== 'HALTED' || req.flatten) {
      if (before.state !== 'HALTED') await writeStrategyState(tx, accountId, id, 'HALTED', req.reason, by(actor));
      await deps.audit.append(tx, {
        type: 'STRATEGY_HALTED',
        actor,
        accountId,
        requestId,
        payload: { strategyId: id, name: before.name, algoId: before.algoId, from: before.state, reason: req.reason, flatten: req.flatten },
      });
    }
    return (await getStrategy(tx, accountId, id))!;
  });
  const trades = (await liveTradesOfStrategy(deps.sql, accountId, id)).filter((t) => req.flatten || t.status === 'PENDING');
  if (trades.length && !(await mayAsk())) return { strategy, tradesAsked: trades.length, tradesNotReached: trades.length };
  const port = tradeControls(deps.temporal);
  const asked = await Promise.all(
    trades.map((t) =>
      (req.flatten ? port.requestExit(t.workflowId, 'FLATTEN', actor) : port.cancelEntry(t.workflowId, actor)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return { strategy, tradesAsked: trades.length, tradesNotReached: asked.filter((ok) => !ok).length };
}

export async function resumeStrategy(deps: Omit<StrategyDeps, 'temporal'>, accountId: string, id: string, actor: Actor, requestId?: string): Promise<Strategy> {
  return transaction(deps.sql, async (tx) => {
    await lockAccount(tx, accountId);
    const before = switchable(await getStrategy(tx, accountId, id), id);
    if (before.state === 'HALTED') {
      await writeStrategyState(tx, accountId, id, 'ACTIVE', null, by(actor));
      await deps.audit.append(tx, { type: 'STRATEGY_RESUMED', actor, accountId, requestId, payload: { strategyId: id, name: before.name, algoId: before.algoId, from: before.state } });
    }
    return (await getStrategy(tx, accountId, id))!;
  });
}
