/**
 * Rate-limit leases: a replica takes several points of a caller's budget in one round trip to the
 * shared store and spends them locally, so a busy caller costs a round trip per lease, not per
 * request. The counts stay shared by every replica, because a lease's points are counted in the
 * store when it is taken.
 *
 * A lease of N points adds N to each of the caller's four tiers. It may be spent only within the
 * windows it was counted in: until the earliest of them ends, as measured from before the round
 * trip (a window never ends earlier than that). Where the store says a tier is past its limit, only
 * the points that fit are granted; none fit, the request is refused (and counts one point, as a
 * refused request did before). The points a replica did not spend are given back with its next
 * lease, but only to a window that is still the one they were taken in (the store checks the
 * window's end). So, in any window:
 *
 * - no overshoot: a caller never gets more than the limit, whatever the number of replicas;
 * - bounded undershoot: points leased and not spent yet count as used, so a caller spread over R
 *   replicas may be refused up to R × (N − 1) points before the limit; a caller that stops holds
 *   at most N − 1 points until its window ends.
 *
 * N is a tenth of the class's smallest tier (at most 100): with the default read limits (50 a
 * second) 5, with the auth limits (5 a second) 1, where a lease is the plain count of before.
 *
 * @module
 */
import type { Refund, TierCount, TierStore } from './rate-limit-store.ts';

const LEASE_SHARE = 10;
const LEASE_MAX = 100;
/** Callers whose leases are remembered; the oldest is forgotten first (its unspent points stay counted). */
const MAX_HOLDERS = 10_000;

/** The lease size for tiers of these limits: 1 means every request is counted in the store. */
export function leaseSize(tierPoints: readonly number[]): number {
  return Math.max(1, Math.min(LEASE_MAX, Math.floor(Math.min(...tierPoints) / LEASE_SHARE)));
}

interface Lease {
  /** Points added to every tier when it was taken. */
  taken: number;
  /** Points that fit within every tier's limit. */
  granted: number;
  /** Points used: requests allowed, or the refused request that took it. */
  spent: number;
  /** Each tier's count in the store right after the lease was taken. */
  counts: TierCount[];
  /** Each tier's window end on this process's clock (never later than the store's). */
  windowEnds: number[];
  /** Before the earliest window ends. */
  usableUntil: number;
}

interface Holder {
  lease?: Lease;
  taking?: Promise<Lease>;
}

/** One class's tiers: their limits and windows, in the store's key order. */
export interface LeasedTiers {
  limits: readonly number[];
  windowsMs: readonly number[];
  size: number;
}

export type LeasedCount = (keys: readonly string[]) => Promise<TierCount[]>;

/** Counts a request of the caller whose tier keys are `keys`, from a lease when one has points left. */
export function leasedCounter(store: TierStore, tiers: LeasedTiers, now: () => number = Date.now): LeasedCount {
  const holders = new Map<string, Holder>();

  const take = async (keys: readonly string[], previous: Lease | undefined): Promise<Lease> => {
    const unspent = previous ? previous.taken - previous.spent : 0;
    const refunds = previous?.counts.map((c): Refund | undefined => (unspent > 0 && c.windowEnd !== undefined ? { points: unspent, windowEnd: c.windowEnd } : undefined));
    const sentAt = now();
    const counts = await store.hit(keys, tiers.windowsMs, { points: tiers.size, ...(refunds ? { refunds } : {}) });
    const granted = Math.min(...counts.map((c, i) => Math.max(0, Math.min(tiers.size, tiers.size - (c.points - tiers.limits[i]!)))));
    const windowEnds = counts.map((c) => sentAt + c.msLeft);
    return { taken: tiers.size, granted, spent: 0, counts, windowEnds, usableUntil: Math.min(...windowEnds) };
  };

  /** The tiers' counts as this request sees them: the store's, less what this lease has not spent. */
  const seen = (lease: Lease, at: number): TierCount[] =>
    lease.counts.map((c, i) => ({ points: c.points - lease.taken + lease.spent, msLeft: Math.max(0, lease.windowEnds[i]! - at) }));

  return async (keys) => {
    const id = keys[0]!;
    let holder = holders.get(id);
    if (!holder) {
      if (holders.size >= MAX_HOLDERS) holders.delete(holders.keys().next().value as string);
      holder = {};
      holders.set(id, holder);
    }
    for (;;) {
      const at = now();
      const lease = holder.lease;
      if (lease && lease.spent < lease.granted && at < lease.usableUntil) {
        lease.spent++;
        return seen(lease, at);
      }
      if (holder.taking) {
        // One round trip at a time per caller: the requests that arrive meanwhile share its lease.
        await holder.taking;
        continue;
      }
      const taking = take(keys, lease);
      holder.taking = taking;
      let fresh: Lease;
      try {
        fresh = await taking;
      } finally {
        holder.taking = undefined;
      }
      holder.lease = fresh;
      // The request that took the lease spends from it first; refused, it still counts one point.
      fresh.spent = 1;
      return seen(fresh, now());
    }
  };
}
