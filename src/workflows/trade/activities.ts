/**
 * The trade workflow's activities other than broker legs (those are in legs.ts), each proxy named
 * by what its activities do.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { failureCode } from '../failures.ts';
import type { TradeRun } from './run.ts';

/**
 * The trade's records: the risk reservation and every step of the trade written to the database
 * with its audit record. Quick, local to the worker, retried until the database answers.
 */
export const records = wf.proxyLocalActivities<
  Pick<Activities, 'reserveRisk' | 'recordEntryClosed' | 'recordEntryFill' | 'markExiting' | 'recordPartialExit' | 'recordExitFill' | 'recordExitNotFilled' | 'recordProtectionChange' | 'instrumentTick'>
>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** What the account's circuit breaker hears from the trade: closed trades (losses) and broker failures. */
export const circuitBreaker = wf.proxyActivities<Pick<Activities, 'reportTradeClosed' | 'reportBrokerFailure'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Tell the circuit breaker a broker call failed (its failure-rate trip counts these). */
export function reportBrokerFailure(run: TradeRun, err: unknown): Promise<void> {
  const { tradeId, accountId } = run.input;
  return circuitBreaker.reportBrokerFailure(accountId, { tradeId, code: failureCode(err) ?? 'unknown', at: new Date().toISOString() });
}
