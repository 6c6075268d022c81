/** The trading account. */
import { z } from 'zod';
import { rupees } from '../schema.ts';

export const accountSettings = z.object({
  ACCOUNT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('main').describe('Trading account the first admin and new users belong to'),
  ACCOUNT_CAPITAL: rupees.default(500000).describe("Account capital in rupees: the paper funds ledger's opening balance, and the basis of the concentration limit while the account's funds are unknown"),
  ALGO_ID: z.string().regex(/^[\w.-]{1,32}$/).default('GENERIC').describe('Exchange-issued algo id of the default strategy: stamped on the orders and audit records of trades that name no strategy (SEBI retail-algo framework; strategies carry their own, docs/strategies.md)'),
}).describe('The trading account');
export type AccountSettings = z.infer<typeof accountSettings>;
