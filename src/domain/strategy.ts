/**
 * Strategies: a named way of trading with the exchange-issued algo id its orders carry, limits of
 * its own and a kill switch of its own (docs/strategies.md). A trade names its strategy by name;
 * a trade that names none belongs to the account's default strategy, whose algo id is ALGO_ID.
 * Pure: the registry lives in the database (src/db/strategies.ts).
 *
 * @module
 */
import type { RiskLimitKey, RiskLimits } from './risk/limits.ts';
import type { RuleName, Violation } from './risk/rules.ts';

export type StrategyState = 'ACTIVE' | 'HALTED';

export interface Strategy {
  id: string;
  accountId: string;
  name: string;
  algoId: string;
  /** Limits of this strategy's own book; unset keys leave only the account's limits. */
  limits: Partial<RiskLimits>;
  state: StrategyState;
  stateReason: string | null;
  stateChangedAt: Date;
  stateChangedBy: string | null;
  createdBy: string;
  createdAt: Date;
}

/** The id and name of the default strategy (not a registry row; its name is reserved). */
export const DEFAULT_STRATEGY = 'default';

/** Strategy names: what trade requests and webhooks send in `strategy`. */
export const STRATEGY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/**
 * Algo ids as exchanges issue them: letters, digits, `.`, `_` and `-`, at most 32 (the same shape
 * as the ALGO_ID setting, src/config/sections/account.ts).
 */
export const ALGO_ID = /^[\w.-]{1,32}$/;

/** The account's default strategy: every trade that names no strategy. */
export function defaultStrategy(accountId: string, algoId: string): Strategy {
  return {
    id: DEFAULT_STRATEGY,
    accountId,
    name: DEFAULT_STRATEGY,
    algoId,
    limits: {},
    state: 'ACTIVE',
    stateReason: null,
    stateChangedAt: new Date(0),
    stateChangedBy: null,
    createdBy: 'system',
    createdAt: new Date(0),
  };
}

/** The risk rule each limit is checked by: a strategy's limit refuses with the same rule name as the account's. */
export const RULE_OF_LIMIT: Record<RiskLimitKey, RuleName> = {
  maxPositionQuantity: 'MAX_POSITION_QUANTITY',
  maxOpenPositions: 'MAX_OPEN_POSITIONS',
  dailyLossLimitPaise: 'DAILY_LOSS_LIMIT',
  maxConcentrationBp: 'MAX_CONCENTRATION',
  maxTradeValuePaise: 'MAX_TRADE_VALUE',
  maxOrdersPerSecond: 'ORDER_RATE',
  priceBandBp: 'PRICE_BAND',
};

/** The rules a strategy's own limits add: those of the keys it sets. */
export function strategyLimitRules(limits: Partial<RiskLimits>): Set<RuleName> {
  return new Set((Object.keys(limits) as RiskLimitKey[]).filter((k) => limits[k] !== undefined).map((k) => RULE_OF_LIMIT[k]));
}

/**
 * Of the violations found checking the order against the strategy's own book and limits, those
 * its own limits cause (the account's check already reported the rest), each named by the limit's
 * rule and saying it is the strategy's.
 */
export function strategyViolations(strategy: Pick<Strategy, 'name' | 'limits'>, found: Violation[], accountViolations: Violation[]): Violation[] {
  const own = strategyLimitRules(strategy.limits);
  const already = new Set(accountViolations.map((v) => v.rule));
  return found.filter((v) => own.has(v.rule) && !already.has(v.rule)).map((v) => ({ ...v, message: `Strategy ${strategy.name}: ${v.message}` }));
}

/** The violation of an entry whose strategy's kill switch is on. */
export function strategyHalted(strategy: Pick<Strategy, 'name' | 'stateReason'>): Violation {
  return { rule: 'STRATEGY_HALTED', limit: 'ACTIVE', actual: 'HALTED', message: `Strategy ${strategy.name} is halted${strategy.stateReason ? `: ${strategy.stateReason}` : ''}; other strategies keep trading` };
}

/** The violation of an entry naming a strategy the account does not have. */
export function strategyUnknown(name: string): Violation {
  return { rule: 'STRATEGY_UNKNOWN', limit: 'a registered strategy', actual: name, message: `The account has no strategy named ${name} (GET /strategies lists them)` };
}

/**
 * What an order's `user_remark` carries at Breeze: its tag first (found again by it), then the
 * strategy and the algo id, separated by `:` (docs/breeze-api.md#strategy-and-algo-id).
 */
export function orderRemark(tag: string, strategy: string | undefined, algoId: string | undefined): string {
  return strategy && algoId ? `${tag}:${strategy}:${algoId}` : tag;
}

/** The tag of an order's remark (remarks written before strategies were the tag alone). */
export function tagOfRemark(remark: string | null | undefined): string {
  const text = remark ?? '';
  const colon = text.indexOf(':');
  return colon === -1 ? text : text.slice(0, colon);
}
