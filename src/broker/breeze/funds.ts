/**
 * Breeze's funds in our terms: the bank balance and what is allocated to and blocked in each
 * segment (docs/breeze-api.md#account-reads), in paise, for funds and margin checks.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import { BrokerUnavailableError } from '../errors.ts';
import { fundsRow } from './rows.ts';
import { toPaise } from './values.ts';

export interface BreezeFunds {
  totalBankBalancePaise: Paise;
  allocatedEquityPaise: Paise;
  allocatedFnoPaise: Paise;
  blockedEquityPaise: Paise;
  blockedFnoPaise: Paise;
  unallocatedPaise: Paise;
}

export function fundsFrom(payload: unknown): BreezeFunds {
  const parsed = fundsRow.safeParse(Array.isArray(payload) ? payload[0] : payload);
  if (!parsed.success) throw new BrokerUnavailableError('GET funds: unexpected answer');
  const f = parsed.data;
  return {
    totalBankBalancePaise: toPaise(f.total_bank_balance) ?? 0,
    allocatedEquityPaise: toPaise(f.allocated_equity) ?? 0,
    allocatedFnoPaise: toPaise(f.allocated_fno) ?? 0,
    blockedEquityPaise: toPaise(f.block_by_trade_equity) ?? 0,
    blockedFnoPaise: toPaise(f.block_by_trade_fno) ?? 0,
    unallocatedPaise: toPaise(f.unallocated_balance) ?? 0,
  };
}
