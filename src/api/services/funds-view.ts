/**
 * The account's funds for GET /risk/status (`usage.funds`, in paise): the paper ledger, or the
 * broker's funds as last read by a worker (shared in `broker_funds`; the API never calls the
 * broker), less the margin of orders in flight (src/activities/funds.ts).
 *
 * @module
 */
import type { Config } from '../../config.ts';
import { brokerFundsOf, ledgerTotals, reservedMargin } from '../../db/funds-ledger.ts';
import type { Queryable } from '../../db/pool.ts';
import { availableFunds, type FundsView } from '../../domain/risk/funds.ts';

const shown = (f: FundsView) => ({
  balancePaise: f.balancePaise,
  usedMarginPaise: f.usedMarginPaise,
  reservedMarginPaise: f.reservedMarginPaise,
  availablePaise: availableFunds(f),
});

/**
 * Read the account's funds; the paper ledger's balance is the account's capital plus its cash
 * moves, so the answer is completed with the capital (read alongside, in the same snapshot).
 */
export async function readFundsUsage(sql: Queryable, config: Config, accountId: string) {
  if (config.broker.BROKER === 'paper') {
    const [totals, reserved] = await Promise.all([ledgerTotals(sql, accountId), reservedMargin(sql, accountId)]);
    return (capitalPaise: number) => ({ source: 'paper-ledger' as const, asOf: null, ...shown({ source: 'paper-ledger', balancePaise: capitalPaise + totals.cashPaise, usedMarginPaise: totals.marginPaise, reservedMarginPaise: reserved }) });
  }
  const usage = await brokerFundsUsage(sql, accountId);
  return () => usage;
}

async function brokerFundsUsage(sql: Queryable, accountId: string) {
  const f = await brokerFundsOf(sql, accountId);
  if (!f) return { source: 'broker' as const, asOf: null, balancePaise: null, usedMarginPaise: null, reservedMarginPaise: null, availablePaise: null, segments: null };
  const [equityReserved, fnoReserved] = await Promise.all([reservedMargin(sql, accountId, f.fetchedAt, ['NSE', 'BSE']), reservedMargin(sql, accountId, f.fetchedAt, ['NFO', 'BFO'])]);
  const equity: FundsView = { source: 'broker', balancePaise: f.equityAllocatedPaise, usedMarginPaise: f.equityBlockedPaise, reservedMarginPaise: equityReserved };
  const fno: FundsView = { source: 'broker', balancePaise: f.fnoAllocatedPaise, usedMarginPaise: f.fnoBlockedPaise, reservedMarginPaise: fnoReserved };
  const total: FundsView = { source: 'broker', balancePaise: equity.balancePaise + fno.balancePaise, usedMarginPaise: equity.usedMarginPaise + fno.usedMarginPaise, reservedMarginPaise: equityReserved + fnoReserved };
  return { source: 'broker' as const, asOf: f.fetchedAt.toISOString(), ...shown(total), segments: { equity: shown(equity), fno: shown(fno) } };
}
