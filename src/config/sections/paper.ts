/** The paper exchange. */
import { z } from 'zod';
import { bool, int } from '../schema.ts';

export const paperSettings = z.object({
  PAPER_SLIPPAGE_BPS: int(0).default(0).describe('Paper exchange slippage on market orders, in basis points'),
  PAPER_RANDOM_WALK: bool.default(true).describe('Move paper prices by a seeded random walk unless set through POST /paper/quotes'),
  PAPER_SEED: int(0).default(42).describe('Seed of the paper random walk'),
}).describe('The paper exchange');
export type PaperSettings = z.infer<typeof paperSettings>;
