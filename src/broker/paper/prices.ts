/**
 * Simulated prices: a seeded random walk per instrument. Step `i` of an instrument draws its
 * randomness from (seed, instrument, i) alone, so the walk is the same however often, or by how
 * many processes, it is read.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';

/** Prices move in ticks of 5 paise (NSE equity tick size). */
export const TICK_PAISE = 5;
/** Volatility of one step (one second): about 0.05%. */
const STEP_SIGMA = 0.0005;

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-distributed PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function roundToTick(paise: number): Paise {
  return Math.max(TICK_PAISE, Math.round(paise / TICK_PAISE) * TICK_PAISE);
}

/** Where an instrument's walk starts: between ₹100 and ₹5,000. */
export function initialPrice(seed: number, instrumentKey: string): Paise {
  const r = mulberry32(hash32(`${seed}|${instrumentKey}|start`))();
  return roundToTick(10_000 + r * 490_000);
}

/** Advance the walk from `price` (which has taken `fromStep` steps) by `steps` steps. */
export function walk(seed: number, instrumentKey: string, price: Paise, fromStep: number, steps: number): Paise {
  let p = price;
  for (let i = fromStep; i < fromStep + steps; i++) {
    const rng = mulberry32(hash32(`${seed}|${instrumentKey}|${i}`));
    // Box-Muller: a standard normal draw
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    p = roundToTick(p * (1 + STEP_SIGMA * z));
  }
  return p;
}
